import { RequestContext, TransactionHost } from '@custos/core';
import { DataExport } from '@custos/exports';
import type { ReadableRow, SubjectValueReader } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';

/**
 * The exports that carried a subject's record, in a subject lookup: for each link (`recordId/
 * exportId`, the table's key after the account), which export, who asked for it, when, which properties and the file's SHA-256 —
 * the recipients of Art. 15(1)(c) and those to tell under Art. 19. The operator handles the
 * subject's request (`manage_privacy_requests`), so they see every export of the account; the
 * values themselves stay in the file.
 */
@Injectable()
export class ExportRecipients implements SubjectValueReader {
  readonly source = 'exports.carried';

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  async read(rowIds: string[]): Promise<Map<string, ReadableRow>> {
    const links = rowIds.map((rowId) => {
      const [recordId, exportId] = rowId.split('/');
      return { rowId, exportId, recordId };
    });
    const exports = await this.transactions.manager.findBy(DataExport, {
      accountId: this.context.requireAccountId(),
      id: In([...new Set(links.map((link) => link.exportId))]),
    });
    const byId = new Map(exports.map((entity) => [entity.id, entity]));
    const rows = new Map<string, ReadableRow>();
    for (const { rowId, exportId, recordId } of links) {
      const entity = byId.get(exportId);
      if (!entity) {
        continue;
      }
      rows.set(rowId, {
        values: { record_id: recordId },
        withheld: [],
        details: {
          exportId,
          requester: { kind: entity.requester.kind, label: entity.requester.label },
          requestedAt: entity.createdAt.toISOString(),
          finishedAt: entity.finishedAt?.toISOString() ?? null,
          state: entity.state,
          source: entity.source,
          objectType: entity.description.objectType ?? null,
          properties: entity.target.properties,
          sha256: entity.sha256,
        },
      });
    }
    return rows;
  }
}
