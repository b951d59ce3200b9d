import { Injectable, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { MoreThan } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  DEFAULT_PAGE_SIZE,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  decodeCursor,
  isSuperAdminInPerson,
  keysetPage,
  mapPage,
  snapshotOf,
  toPage,
  type Page,
} from '@custos/core';
import { CrmAccessService } from '../records';
import { PropertySchemaService } from '../properties';
import { csvField, inspectUpload } from './csv-file';
import { ImportRowError } from './import-error.entity';
import { ImportFiles } from './import-files';
import { assertReadableKey, parseMapping, planImport } from './import-plan';
import type { UploadedCsv } from './import-upload.interceptor';
import { CrmImport } from './import.entity';
import type { CreateImportDto, ImportDto, ImportErrorDto } from './import.dto';
import { ImportWorker } from './import.worker';
import { importErrors } from './imports.errors';

const CSV_PAGE = 1000;

/** CSV imports of the actor's account: checked and stored at upload, applied by {@link ImportWorker}. */
@Injectable()
export class ImportService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly worker: ImportWorker,
    private readonly files: ImportFiles,
  ) {}

  /**
   * Checks everything that can be checked before the first row (object type, mapping, header,
   * mode, the file being CSV), keeps the file and queues the import. A refusal writes nothing.
   */
  async create(input: CreateImportDto, file: UploadedCsv | undefined): Promise<ImportDto> {
    const actor = this.context.requireActor();
    if (!file) {
      throw importErrors.fileMissing();
    }
    const schema = await this.properties.schema(input.objectType);
    const mapping = parseMapping(input.mapping);
    const { header, rows } = await inspectUpload(
      await this.files.read(actor.accountId, file.id, file.key),
    );
    const uniqueProperty = input.uniqueProperty || null;
    const plan = planImport(schema, header, { mapping, mode: input.mode, uniqueProperty });
    assertReadableKey(await this.crmAccess.forSchema(schema), uniqueProperty);
    if (rows === 0) {
      throw importErrors.invalidCsv('has no data rows below the header row');
    }
    const now = this.clock.now();
    const entity: CrmImport = {
      id: file.id,
      accountId: actor.accountId,
      objectType: schema.objectType.name,
      mode: input.mode,
      uniqueProperty,
      mapping,
      fileName: (file.originalname || 'import.csv').slice(0, 255),
      fileBytes: file.size,
      status: 'pending',
      totalRows: rows,
      processedRows: 0,
      rowsCreated: 0,
      rowsUpdated: 0,
      rowsUnchanged: 0,
      rowsFailed: 0,
      actor: snapshotOf(actor),
      error: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    };
    const key = await this.files.keepForImport(file);
    try {
      await this.transactions.run(async (manager) => {
        await manager.insert(CrmImport, entity);
        await this.audit.record({
          action: 'import.started',
          targetType: 'import',
          targetId: entity.id,
          metadata: {
            objectType: entity.objectType,
            mode: entity.mode,
            uniqueProperty,
            properties: plan.columns.map((c) => c.property).sort(),
            totalRows: rows,
          },
        });
        // In the same transaction: a rolled-back upload enqueues nothing.
        await this.worker.enqueue(entity.id, entity.accountId);
      });
    } catch (error) {
      await this.files.remove(key);
      throw error;
    }
    return toImportDto(entity);
  }

  async get(id: string): Promise<ImportDto> {
    return toImportDto(await this.find(id));
  }

  /** The imports the actor may see: their own, or all of the account's for a super admin in person. */
  async list(query: PageQueryDto): Promise<Page<ImportDto>> {
    const actor = this.context.requireActor();
    const builder = this.transactions.manager
      .createQueryBuilder(CrmImport, 'i')
      .where('i.accountId = :accountId', { accountId: actor.accountId });
    if (!isSuperAdminInPerson(actor)) {
      builder.andWhere('i.actor.kind = :actorKind AND i.actor.id = :actorId', {
        actorKind: actor.kind,
        actorId: actor.id,
      });
    }
    return mapPage(await keysetPage(builder, 'i.id', (i) => i.id, query), toImportDto);
  }

  /** The refused rows in row order, with cursor pagination. */
  async errors(id: string, query: PageQueryDto): Promise<Page<ImportErrorDto>> {
    await this.find(id);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    let after = 0;
    if (query.after !== undefined) {
      const [key] = decodeCursor(query.after, 1);
      if (typeof key !== 'number') {
        throw CustosError.invalidField(
          'core.invalid_cursor',
          'after',
          'is not a cursor returned by this list',
        );
      }
      after = key;
    }
    const rows = await this.transactions.manager.find(ImportRowError, {
      where: { importId: id, rowNumber: MoreThan(after) },
      order: { rowNumber: 'ASC' },
      take: limit + 1,
    });
    return toPage(rows, limit, (row) => [row.rowNumber], toErrorDto);
  }

  /** Every refused row as a CSV download (`row,column,reason`), streamed page by page. */
  async errorsCsv(id: string): Promise<StreamableFile> {
    await this.find(id);
    const manager = this.transactions.manager;
    async function* lines(): AsyncGenerator<string> {
      yield 'row,column,reason\r\n';
      let after = 0;
      for (;;) {
        const rows = await manager.find(ImportRowError, {
          where: { importId: id, rowNumber: MoreThan(after) },
          order: { rowNumber: 'ASC' },
          take: CSV_PAGE,
        });
        for (const row of rows) {
          yield `${row.rowNumber},${csvField(row.column)},${csvField(row.reason)}\r\n`;
        }
        if (rows.length < CSV_PAGE) {
          return;
        }
        after = rows[rows.length - 1].rowNumber;
      }
    }
    return new StreamableFile(Readable.from(lines()), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="import-${id}-errors.csv"`,
    });
  }

  /**
   * The import, for its creator or a super admin in person; anyone else gets the 404 of an
   * import that does not exist (row errors describe the creator's data and access).
   */
  private async find(id: string): Promise<CrmImport> {
    const actor = this.context.requireActor();
    const entity = await this.transactions.manager.findOneBy(CrmImport, {
      accountId: actor.accountId,
      id,
      ...(isSuperAdminInPerson(actor) ? {} : { actor: { kind: actor.kind, id: actor.id } }),
    });
    if (!entity) {
      throw importErrors.notFound();
    }
    return entity;
  }
}

export function toImportDto(entity: CrmImport): ImportDto {
  return {
    id: entity.id,
    objectType: entity.objectType,
    mode: entity.mode,
    uniqueProperty: entity.uniqueProperty,
    mapping: entity.mapping,
    fileName: entity.fileName,
    fileBytes: entity.fileBytes,
    status: entity.status,
    totalRows: entity.totalRows,
    processedRows: entity.processedRows,
    created: entity.rowsCreated,
    updated: entity.rowsUpdated,
    unchanged: entity.rowsUnchanged,
    failed: entity.rowsFailed,
    errorCount: entity.rowsFailed,
    error: entity.error,
    createdBy: { kind: entity.actor.kind, id: entity.actor.id, label: entity.actor.label },
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
    startedAt: entity.startedAt?.toISOString() ?? null,
    finishedAt: entity.finishedAt?.toISOString() ?? null,
  };
}

function toErrorDto(row: ImportRowError): ImportErrorDto {
  return { row: row.rowNumber, column: row.column, reason: row.reason };
}
