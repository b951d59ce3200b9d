import type { ReadableRow, SubjectValueReader } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { RecordReader } from '../crm/records';
import { SensitiveViewAudit } from '../crm/sensitive';

const SIDES = { oldValue: 'old_value', newValue: 'new_value' } as const;

/**
 * Contacts' property history in a subject lookup or access package, read as the operator reads
 * a record's history: entries of records or properties they may not read are left out (all
 * withheld), sealed values opened only for those who may (masked ones withheld), the sensitive
 * values shown audited like any read.
 */
@Injectable()
export class CrmHistoryValues implements SubjectValueReader {
  readonly source = 'crm.property_history';

  constructor(
    private readonly reader: RecordReader,
    private readonly viewAudit: SensitiveViewAudit,
  ) {}

  async read(rowIds: string[]): Promise<Map<string, ReadableRow>> {
    const entries = await this.viewAudit.audited(
      await this.reader.historyEntries('contacts', rowIds),
    );
    return new Map(
      [...entries].map(([id, entry]) => [
        id,
        {
          values: { old_value: entry.oldValue ?? null, new_value: entry.newValue ?? null },
          withheld: [...(entry.masked ?? []), ...(entry.redacted ?? [])].map((side) => SIDES[side]),
        },
      ]),
    );
  }
}
