import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import { EnvelopeError } from '@custos/crypto';
import {
  Clock,
  actorFromSnapshot,
  CustosError,
  Jobs,
  PRIVILEGE_RESOLVER,
  RequestContext,
  TransactionHost,
  isTransientDatabaseError,
  newId,
  type Actor,
  type JobQueue,
  type PrivilegeResolver,
  type RunningJob,
} from '@custos/core';
import {
  CrmAccessService,
  RecordQuery,
  RecordWriter,
  UniqueValues,
  type RecordAccess,
} from '../records';
import { PropertySchemaService } from '../properties';
import type { PropertySchema } from '../kernel';
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

/** The job queue of imports: one job per import, keyed by its id. */
export const IMPORT_QUEUE = 'crm.import';

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

/**
 * Processing paused: the job was aborted (shutdown, lost lease, cancellation), or another
 * worker moved the import on.
 */
class ImportPaused extends Error {}

/** The actor an import was started by, as stored on it. */
export function actorOf(entity: CrmImport): Actor {
  return actorFromSnapshot(entity.actor, entity.accountId);
}

/**
 * Applies imports in the background (the `crm.import` queue of `Jobs`, one import at a time per
 * instance), in batches: each batch is one transaction that locks the import, checks that its
 * `processedRows` is still where this worker left it, and advances it with the counters. So
 * after a crash every row is either fully applied or not at all, and whichever instance takes
 * the job over (after a restart, or once the lease of a killed instance expires) resumes after
 * the last committed batch, reading the file from the shared `FileStore`. Inside a batch each
 * row has a savepoint: an invalid row is rolled back alone and reported, the valid rows commit.
 * Work runs as the actor who started the import.
 */
@Injectable()
export class ImportWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(ImportWorker.name);
  private readonly queue: JobQueue<{ importId: string }>;
  private readonly batchSize: number;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    jobs: Jobs,
    private readonly properties: PropertySchemaService,
    private readonly records: RecordWriter,
    private readonly recordQuery: RecordQuery,
    private readonly uniqueValues: UniqueValues,
    private readonly crmAccess: CrmAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly files: ImportFiles,
    @Inject(IMPORTS_MODULE_OPTIONS) options: ImportsModuleOptions,
    @Inject(PRIVILEGE_RESOLVER) private readonly privileges: PrivilegeResolver,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
    this.queue = jobs.createQueue({
      name: IMPORT_QUEUE,
      process: (job) => this.run(job),
      cancelled: (job) => this.endCancelled(job.key!),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.removeLeftoverFiles();
    await this.resumeUnfinished();
  }

  /**
   * Makes sure every `pending` or `running` import of every account has its job (one whose
   * enqueue did not follow its commit: a crash in between, Redis unreachable); the key makes
   * this a no-op for the others. One whose kept job is cancelled is ended (its `cancelled` call
   * was lost: a failure, or on BullMQ a cancel racing a worker's take-over). Returns how many
   * imports are unfinished.
   */
  async resumeUnfinished(): Promise<number> {
    const unfinished = await this.transactions.manager.find(CrmImport, {
      select: { id: true, accountId: true },
      where: { status: In(['pending', 'running'] satisfies ImportStatus[]) },
      order: { id: 'ASC' },
    });
    for (const { id, accountId } of unfinished) {
      const job = await this.queue.enqueue({ importId: id }, { key: id, accountId });
      if (job?.state === 'cancelled') {
        await this.endCancelled(id);
      }
    }
    return unfinished.length;
  }

  /**
   * Queues an import, once (the job is keyed by the import). Inside the transaction that makes
   * the import, the job exists only if that transaction commits.
   */
  async enqueue(id: string, accountId: string): Promise<void> {
    await this.queue.enqueue({ importId: id }, { key: id, accountId });
  }

  private async run(job: RunningJob<{ importId: string }>): Promise<void> {
    const { signal } = job;
    const id = job.data.importId;
    const entity = await this.transactions.manager.findOneBy(CrmImport, { id });
    if (!entity || entity.status === 'done' || entity.status === 'failed') {
      return;
    }
    // As its starter stands now: a super admin demoted since applies no row as one.
    const starter = await this.privileges.current(actorOf(entity));
    await this.context.runAs(starter, async () => {
      try {
        await this.process(entity, signal, (percent) => job.progress(percent));
      } catch (error) {
        if (error instanceof ImportPaused) {
          if (signal.reason === 'cancelled') {
            await this.end(
              id,
              'failed',
              `The import was cancelled after row ${await this.processedRows(id)}; the rows before it are applied.`,
            );
          }
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
          this.logger.error({ err: error, importId: id }, 'Import stopped by an unexpected error');
        }
        await this.end(
          id,
          'failed',
          error instanceof ImportFailure
            ? error.message
            : `The import stopped at an unexpected error after row ${await this.processedRows(id)}; the rows before it are applied. Quote import id ${id} when reporting it.`,
        );
      }
    });
  }

  /**
   * Its job was cancelled while waiting, so no run will end the import: ends it here. Pending,
   * nothing was applied; running (its job was waiting for another attempt), the committed
   * batches stay. A done or failed import is left as it is.
   */
  private async endCancelled(id: string): Promise<void> {
    const entity = await this.transactions.manager.findOneBy(CrmImport, { id });
    if (!entity) {
      return;
    }
    // As its runs do: `import.finished` is the starter's, whoever cancelled.
    await this.context.runAs(actorOf(entity), () =>
      this.end(id, 'failed', (current) =>
        current.status === 'pending'
          ? 'The import was cancelled before it started; no rows were applied.'
          : `The import was cancelled after row ${current.processedRows}; the rows before it are applied.`,
      ),
    );
  }

  private async process(
    entity: CrmImport,
    signal: AbortSignal,
    progress: (percent: number) => Promise<void>,
  ): Promise<void> {
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
      await progress((offset * 100) / entity.totalRows);
      // Let requests and the lease renewal in between batches (SQLite answers synchronously).
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) {
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

  /**
   * Marks the import done or failed, with its `import.finished` audit event; removes its file.
   * `error` may be worked out from the import as locked (still pending or running).
   */
  private async end(
    id: string,
    status: 'done' | 'failed',
    error: string | null | ((current: CrmImport) => string),
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      const current = await this.lock(manager, id);
      if (!current || current.status === 'done' || current.status === 'failed') {
        return;
      }
      const now = this.clock.now();
      await manager.update(
        CrmImport,
        { id },
        {
          status,
          error: typeof error === 'function' ? error(current) : error,
          finishedAt: now,
          updatedAt: now,
          startedAt: current.startedAt ?? now,
        },
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
