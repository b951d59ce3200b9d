import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import { EnvelopeError } from '@custos/crypto';
import {
  BackgroundQueue,
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  isTransientDatabaseError,
  newId,
  type Actor,
} from '@custos/core';
import { CrmAccessService } from '../records/crm-access.service';
import type { RecordAccess } from '../records/record-access';
import { PropertySchemaService } from '../properties/property-schemas.service';
import type { PropertySchema } from '../kernel/property-schema';
import { RecordQuery } from '../records/record-query';
import { RecordWriter } from '../records/record-writer.service';
import { UniqueValues } from '../records/unique-values';
import { readCsv } from './csv-file';
import { ImportRowError } from './import-error.entity';
import { ImportFiles, importFileKey } from './import-files';
import { assertReadableKey, planImport, rowInput, type ImportPlan } from './import-plan';
import { CrmImport, type ImportStatus } from './import.entity';
import {
  DEFAULT_IMPORT_BATCH_SIZE,
  IMPORTS_MODULE_OPTIONS,
  type ImportsModuleOptions,
} from './imports.module-definition';
import { importErrors, rowPropertyOf } from './imports.errors';

/** Uploads older than this that never became an import are left-overs of a crash. */
const STALE_UPLOAD_MS = 3_600_000;

/** Kinds of refusal that concern one row; anything else stops the import. */
const ROW_ERROR_KINDS = new Set(['validation', 'conflict', 'not_found', 'forbidden']);

/** An import of at least this many rows refreshes the table's planner statistics. */
const ANALYZE_AFTER_ROWS = 1_000;

/** Tries of a batch the database aborted for a transient reason. */
const BATCH_ATTEMPTS = 3;

/** RecordWriter names a row's fields `row.<property>`. */
const ROW = (): string => 'row';

type RowOutcome = 'created' | 'updated' | 'unchanged';

interface DataRow {
  rowNumber: number;
  cells: string[];
}

/** The import ended as a whole; the message is shown to the user (no cell values). */
class ImportFailure extends Error {}

/** Processing paused: the server is stopping, or another worker moved the import on. */
class ImportPaused extends Error {}

/** The actor an import was started by, as stored on it. */
export function actorOf(entity: CrmImport): Actor {
  return {
    kind: entity.actorKind,
    id: entity.actorId,
    accountId: entity.accountId,
    userId: entity.actorUserId,
    label: entity.actorLabel,
    superAdmin: entity.actorSuperAdmin,
  };
}

/**
 * Applies imports in the background, one at a time, in batches: each batch is one transaction
 * that also advances `processedRows` and the counters, so after a crash every row is either fully
 * applied or not at all, and the import resumes after its last committed batch when the server
 * starts again. Inside a batch each row has a savepoint: an invalid row is rolled back alone and
 * reported, the valid rows commit. Work runs as the actor who started the import.
 */
@Injectable()
export class ImportWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ImportWorker.name);
  private readonly jobs: BackgroundQueue;
  private readonly batchSize: number;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    cls: ClsService,
    private readonly properties: PropertySchemaService,
    private readonly records: RecordWriter,
    private readonly recordQuery: RecordQuery,
    private readonly uniqueValues: UniqueValues,
    private readonly crmAccess: CrmAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly files: ImportFiles,
    @Inject(IMPORTS_MODULE_OPTIONS) options: ImportsModuleOptions,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
    this.jobs = new BackgroundQueue(
      cls,
      (id) => this.run(id),
      (error, id) =>
        this.logger.error({ err: error, importId: id }, 'Import could not be processed'),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.removeLeftoverFiles();
    await this.resumeUnfinished();
  }

  /** Lets the batch in progress commit; the import resumes at the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.jobs.stop();
  }

  /**
   * Queues every `pending` or `running` import of every account: run at start, so that imports
   * interrupted by a crash or a restart continue after their last committed batch. Returns how
   * many were queued.
   */
  async resumeUnfinished(): Promise<number> {
    const unfinished = await this.transactions.manager.find(CrmImport, {
      select: { id: true },
      where: { status: In(['pending', 'running'] satisfies ImportStatus[]) },
      order: { id: 'ASC' },
    });
    for (const { id } of unfinished) {
      this.enqueue(id);
    }
    return unfinished.length;
  }

  /** Queues an import; returns at once. */
  enqueue(id: string): void {
    this.jobs.enqueue(id);
  }

  private async run(id: string): Promise<void> {
    const entity = await this.transactions.manager.findOneBy(CrmImport, { id });
    if (!entity || entity.status === 'done' || entity.status === 'failed') {
      return;
    }
    await this.context.runAs(
      actorOf(entity),
      async () => {
        try {
          await this.process(entity);
        } catch (error) {
          if (error instanceof ImportPaused) {
            return;
          }
          if (error instanceof EnvelopeError) {
            this.logger.error(
              { importId: id, reason: error.reason },
              'The sealed file of an import does not open',
            );
            await this.end(
              id,
              'failed',
              `The stored file of this import fails its integrity check (changed on disk) after row ${await this.processedRows(id)}; the rows before it are applied. Upload the file again.`,
            );
            return;
          }
          if (!(error instanceof ImportFailure)) {
            this.logger.error(
              { err: error, importId: id },
              'Import stopped by an unexpected error',
            );
          }
          await this.end(
            id,
            'failed',
            error instanceof ImportFailure
              ? error.message
              : `The import stopped at an unexpected error after row ${await this.processedRows(id)}; the rows before it are applied. Quote import id ${id} when reporting it.`,
          );
        }
      },
      { requestId: id },
    );
  }

  private async process(entity: CrmImport): Promise<void> {
    const key = importFileKey(entity.id);
    if (!(await this.files.exists(key))) {
      throw new ImportFailure(
        'The uploaded file is no longer on the server, so the import cannot continue. Upload it again.',
      );
    }
    const schema = await this.properties.schema(entity.objectType);
    await this.start(entity.id);
    let plan: ImportPlan | undefined;
    let rowNumber = 0;
    let offset = entity.processedRows;
    let batch: DataRow[] = [];
    const flush = async (): Promise<void> => {
      await this.applyBatch(entity, schema, plan!, batch, offset);
      offset += batch.length;
      batch = [];
      if (this.jobs.stopped) {
        throw new ImportPaused();
      }
    };
    for await (const cells of readCsv(await this.files.read(entity.accountId, entity.id, key))) {
      if (plan === undefined) {
        plan = await this.plan(entity, schema, cells);
        continue;
      }
      rowNumber += 1;
      if (rowNumber > offset) {
        batch.push({ rowNumber, cells });
        if (batch.length === this.batchSize) {
          await flush();
        }
      }
    }
    if (batch.length > 0) {
      await flush();
    }
    await this.end(entity.id, 'done', null);
    if (rowNumber >= ANALYZE_AFTER_ROWS) {
      await this.refreshStatistics(schema.objectType.table);
    }
  }

  /**
   * After a bulk load the planner's statistics are stale: scope sizes, and the live-row count by
   * which SQLite pages choose their index (`RecordQuery.walksSortIndex`). Refreshed as the seeder
   * does; the import is done either way.
   */
  private async refreshStatistics(table: string): Promise<void> {
    try {
      // `table` is an object type's table name, a constant.
      await this.transactions.manager.query(`ANALYZE ${table}`);
    } catch (error) {
      this.logger.warn(
        { err: error, table },
        'Could not refresh planner statistics after an import',
      );
    }
  }

  /** The plan checked at upload, checked again: properties and the actor's access may have changed since. */
  private async plan(
    entity: CrmImport,
    schema: PropertySchema,
    header: string[],
  ): Promise<ImportPlan> {
    let plan: ImportPlan;
    try {
      plan = planImport(
        schema,
        header.map((name) => name.trim()),
        entity,
      );
    } catch (error) {
      if (error instanceof CustosError) {
        throw new ImportFailure(
          `The mapping no longer fits the ${schema.objectType.name} properties: ${error.detail}`,
        );
      }
      throw error;
    }
    try {
      assertReadableKey(await this.crmAccess.forSchema(schema), entity.uniqueProperty);
    } catch (error) {
      if (error instanceof CustosError) {
        throw new ImportFailure(error.detail);
      }
      throw error;
    }
    return plan;
  }

  /** Locks the import's row (PostgreSQL; SQLite transactions are serialised). */
  private async lock(manager: EntityManager, id: string): Promise<CrmImport | null> {
    const builder = manager.createQueryBuilder(CrmImport, 'i').where('i.id = :id', { id });
    if (this.transactions.isPostgres) {
      builder.setLock('pessimistic_write');
    }
    return builder.getOne();
  }

  private async start(id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const current = await this.lock(manager, id);
      if (current?.status !== 'pending') {
        return;
      }
      const now = this.clock.now();
      await manager.update(
        CrmImport,
        { id },
        { status: 'running', startedAt: now, updatedAt: now },
      );
    });
  }

  /**
   * {@link applyBatchOnce}, again when the database gave up on it for a reason that passes (a
   * deadlock with a concurrent request, a serialisation failure): nothing of it was committed.
   */
  private async applyBatch(
    entity: CrmImport,
    schema: PropertySchema,
    plan: ImportPlan,
    rows: DataRow[],
    offset: number,
  ): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.applyBatchOnce(entity, schema, plan, rows, offset);
      } catch (error) {
        if (attempt >= BATCH_ATTEMPTS || !isTransientDatabaseError(error)) {
          throw error;
        }
        this.logger.warn({ importId: entity.id, attempt }, 'Import batch retried');
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** One batch, one transaction: the rows, their errors and the progress commit together. */
  private async applyBatchOnce(
    entity: CrmImport,
    schema: PropertySchema,
    plan: ImportPlan,
    rows: DataRow[],
    offset: number,
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      const current = await this.lock(manager, entity.id);
      if (current?.status !== 'running' || current.processedRows !== offset) {
        throw new ImportPaused();
      }
      const access = await this.crmAccess.forSchema(schema);
      const tally: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
      const errors: ImportRowError[] = [];
      const fail = (rowNumber: number, error: { column: string | null; reason: string }) =>
        errors.push({ id: newId(), importId: entity.id, rowNumber, ...error });
      for (const { rowNumber, cells } of rows) {
        const input = rowInput(plan, schema, cells);
        if ('error' in input) {
          fail(rowNumber, input.error);
          continue;
        }
        await manager.query('SAVEPOINT crm_import_row');
        try {
          tally[await this.applyRow(entity, access, plan, input)] += 1;
          await manager.query('RELEASE SAVEPOINT crm_import_row');
        } catch (error) {
          await manager.query('ROLLBACK TO SAVEPOINT crm_import_row');
          await manager.query('RELEASE SAVEPOINT crm_import_row');
          const refusal = rowErrorOf(error, plan);
          if (!refusal) {
            throw error;
          }
          fail(rowNumber, refusal);
        }
      }
      for (let start = 0; start < errors.length; start += 500) {
        await manager.insert(ImportRowError, errors.slice(start, start + 500));
      }
      await manager.update(
        CrmImport,
        { id: entity.id },
        {
          processedRows: offset + rows.length,
          rowsCreated: current.rowsCreated + tally.created,
          rowsUpdated: current.rowsUpdated + tally.updated,
          rowsUnchanged: current.rowsUnchanged + tally.unchanged,
          rowsFailed: current.rowsFailed + errors.length,
          updatedAt: this.clock.now(),
        },
      );
    });
  }

  /**
   * Creates or updates the record a row asks for. Only a record the actor may update is a match:
   * one they may not read or change (archived or not) gives, in every outcome, what no record
   * would give — for upsert a create, which meets the unique-value conflict every create path has.
   */
  private async applyRow(
    entity: CrmImport,
    access: RecordAccess,
    plan: ImportPlan,
    input: { properties: Record<string, string>; matchKey: string | null },
  ): Promise<RowOutcome> {
    const schema = access.schema;
    const create = async (): Promise<RowOutcome> => {
      await this.records.createMany(entity.objectType, [input.properties], 'import', ROW);
      return 'created';
    };
    if (!plan.match || input.matchKey === null) {
      return create();
    }
    const property = plan.match.property;
    const matchId = await this.uniqueValues.recordIdByValue(
      schema,
      entity.accountId,
      property,
      input.matchKey,
    );
    const [before] =
      matchId === null
        ? []
        : await this.recordQuery.find(schema, access, [matchId], { action: 'update' });
    if (!before) {
      if (
        matchId !== null &&
        (await this.recordQuery.find(schema, access, [matchId], { archived: true })).length > 0
      ) {
        throw importErrors.archivedMatch(property, schema.objectType.singular);
      }
      if (plan.mode === 'upsert') {
        return create();
      }
      throw importErrors.noMatch(property, schema.objectType.singular);
    }
    const {
      records: [after],
    } = await this.records.updateMany(
      entity.objectType,
      [{ id: before.id, properties: input.properties }],
      'import',
      ROW,
    );
    const previous: Record<string, unknown> = {
      ...before.values,
      owner_id: before.ownerId,
      createdate: before.createdAt,
    };
    const changed = Object.entries({ ...after.values, owner_id: after.ownerId }).some(
      ([name, value]) => previous[name] !== value,
    );
    return changed ? 'updated' : 'unchanged';
  }

  /** Marks the import done or failed, with its `import.finished` audit event; removes its file. */
  private async end(id: string, status: 'done' | 'failed', error: string | null): Promise<void> {
    await this.transactions.run(async (manager) => {
      const current = await this.lock(manager, id);
      if (!current || current.status === 'done' || current.status === 'failed') {
        return;
      }
      const now = this.clock.now();
      await manager.update(
        CrmImport,
        { id },
        { status, error, finishedAt: now, updatedAt: now, startedAt: current.startedAt ?? now },
      );
      await this.audit.record({
        action: 'import.finished',
        targetType: 'import',
        targetId: id,
        metadata: {
          status,
          objectType: current.objectType,
          totalRows: current.totalRows,
          processedRows: current.processedRows,
          created: current.rowsCreated,
          updated: current.rowsUpdated,
          unchanged: current.rowsUnchanged,
          failed: current.rowsFailed,
        },
      });
    });
    // The rows are in the CRM now; the file would only be a second copy of personal data.
    await this.files.remove(importFileKey(id));
  }

  private async processedRows(id: string): Promise<number> {
    const entity = await this.transactions.manager.findOneBy(CrmImport, { id });
    return entity?.processedRows ?? 0;
  }

  /**
   * Files no import needs any more: those of ended imports (a crash between the end and the
   * removal) and uploads that never became an import.
   */
  private async removeLeftoverFiles(): Promise<void> {
    const active = await this.transactions.manager.find(CrmImport, {
      select: { id: true },
      where: { status: In(['pending', 'running'] satisfies ImportStatus[]) },
    });
    await this.files.removeLeftovers(
      new Set(active.map(({ id }) => id)),
      new Date(this.clock.now().getTime() - STALE_UPLOAD_MS),
    );
  }
}

/** A refusal of one row as `{ column, reason }`, or `null` when the error is not about the row. */
function rowErrorOf(
  error: unknown,
  plan: ImportPlan,
): { column: string | null; reason: string } | null {
  if (!(error instanceof CustosError) || !ROW_ERROR_KINDS.has(error.kind)) {
    return null;
  }
  const first = error.options.errors?.[0];
  if (!first) {
    return { column: null, reason: error.detail };
  }
  const property = rowPropertyOf(first.field);
  return {
    column: plan.columns.find((c) => c.property === property)?.column ?? null,
    reason: `${property}: ${first.message}`,
  };
}
