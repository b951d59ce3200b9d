import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { In } from 'typeorm';
import {
  Clock,
  CustosError,
  Jobs,
  RequestContext,
  TransactionHost,
  type JobQueue,
  type JobView,
  type RunningJob,
} from '@custos/core';
import { ExportApprovalGate } from '../approval/export-approval-gate';
import { ExportAccess, requesterOf } from '../export-access';
import type { ExportPlan, ExportRow, ExportTarget } from '../export-source';
import { ExportSources } from '../export-sources';
import { ExportTransitions } from '../export-transitions';
import { DataExport } from '../export.entity';
import { EXPORT_FAILURES } from '../exports.errors';
import {
  DEFAULT_PROGRESS_EVERY_ROWS,
  EXPORTS_MODULE_OPTIONS,
  type ExportsModuleOptions,
} from '../exports.module-definition';
import { ExportFiles } from '../files/export-files';
import { ExportRecords } from '../log/export-records';
import { ExportNotifications } from '../notifications/export-notifications';
import { ExportSettingsService } from '../settings/export-settings.service';
import { writeExportFile } from '../writers';

/** The job queue of exports: one job per export, keyed by its id. */
export const EXPORT_QUEUE = 'exports.run';

/**
 * Attempts of an export's job. A handler never throws (it ends the export itself), so further
 * attempts are only take-overs of a run whose server died; past this many the export fails.
 */
const EXPORT_ATTEMPTS = 3;

interface ExportJobData {
  exportId: string;
}

/** The export ended as a whole with this code (a refusal of the plan, a lost right). */
class ExportFailure extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * Runs exports in the background (`exports.run` of `Jobs`), as their requester with the rights
 * they hold when it runs: plans again, streams the source's rows through the writer into the
 * file store (sealed when sensitive, hashed in clear), noting the records they carry, then marks
 * the export done. A run cut off
 * by a crash starts over from the first row on the next attempt (nothing partial is ever under
 * the file's key); cancelled, it stops between batches and keeps nothing.
 */
@Injectable()
export class ExportRunner implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExportRunner.name);
  private readonly queue: JobQueue<ExportJobData>;
  private readonly progressEvery: number;

  constructor(
    jobs: Jobs,
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly transitions: ExportTransitions,
    private readonly sources: ExportSources,
    private readonly files: ExportFiles,
    private readonly records: ExportRecords,
    private readonly access: ExportAccess,
    private readonly gate: ExportApprovalGate,
    private readonly settings: ExportSettingsService,
    private readonly notifications: ExportNotifications,
    private readonly clock: Clock,
    @Inject(EXPORTS_MODULE_OPTIONS) options: ExportsModuleOptions,
  ) {
    this.progressEvery = options.progressEveryRows ?? DEFAULT_PROGRESS_EVERY_ROWS;
    this.queue = jobs.createQueue<ExportJobData>({
      name: EXPORT_QUEUE,
      attempts: EXPORT_ATTEMPTS,
      process: (job) => this.run(job),
      cancelled: (job) => this.endCancelledWhileQueued(job),
    });
  }

  /**
   * Gives every queued or running export its job (an enqueue lost after its commit: a crash in
   * between, Redis unreachable); the key makes this a no-op for the others. One whose kept job is
   * over ends: cancelled, or failed when its job died or completed without ending it.
   */
  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.transactions.manager.find(DataExport, {
      where: { state: In(['queued', 'running']) },
      order: { id: 'ASC' },
    });
    for (const entity of unfinished) {
      const job = await this.enqueue(entity);
      if (job?.state === 'cancelled') {
        await this.endCancelledWhileQueued(job);
      } else if (job?.state === 'dead' || job?.state === 'completed') {
        await this.fail(entity, EXPORT_FAILURES.interrupted);
      }
    }
  }

  /**
   * Queues the export's run as its requester, keyed by the export; inside a transaction it exists
   * only if that transaction commits. Remembers the job's id where the backend tells it at once.
   */
  async enqueue(entity: DataExport): Promise<JobView | null> {
    const job = await this.queue.enqueue(
      { exportId: entity.id },
      { key: entity.id, accountId: entity.accountId, actor: requesterOf(entity) },
    );
    if (job && entity.jobId !== job.id) {
      await this.transactions.manager.update(DataExport, { id: entity.id }, { jobId: job.id });
    }
    return job;
  }

  private async run(job: RunningJob<ExportJobData>): Promise<void> {
    const entity = await this.transactions.manager.findOneBy(DataExport, {
      id: job.data.exportId,
    });
    if (!entity || (entity.state !== 'queued' && entity.state !== 'running')) {
      return; // ended meanwhile (cancelled while queued, ended at start-up)
    }
    if (job.attempt > EXPORT_ATTEMPTS) {
      await this.fail(entity, EXPORT_FAILURES.interrupted);
      return;
    }
    // As its requester is now, whoever the job says it runs as.
    const requester = await this.access.requesterNow(entity);
    return this.context.runAs(requester, () => this.runAsRequester(entity, job));
  }

  private async runAsRequester(entity: DataExport, job: RunningJob<ExportJobData>): Promise<void> {
    const started = await this.start(entity);
    if (!started) {
      return;
    }
    try {
      await this.produce(started, job);
    } catch (error) {
      await this.discard(entity);
      if (job.signal.aborted) {
        return this.stopped(started, job.signal);
      }
      if (!(error instanceof ExportFailure) && !(error instanceof CustosError)) {
        this.logger.error(
          { err: error, exportId: entity.id },
          'Export stopped by an unexpected error',
        );
      }
      const code =
        error instanceof ExportFailure || error instanceof CustosError
          ? error.code
          : EXPORT_FAILURES.unexpected;
      await this.fail(started, code);
    }
  }

  /** `queued` → `running`; a run taken over from a dead server starts again from its first row. */
  private async start(entity: DataExport): Promise<DataExport | null> {
    const now = this.clock.now();
    if (entity.state === 'queued') {
      return this.transitions.move(entity.id, 'queued', 'running', { startedAt: now, rowsDone: 0 });
    }
    await this.discard(entity);
    const result = await this.transactions.manager.update(
      DataExport,
      { id: entity.id, state: 'running' },
      { rowsDone: 0, updatedAt: now },
    );
    return result.affected === 1 ? { ...entity, rowsDone: 0 } : null;
  }

  private async produce(entity: DataExport, job: RunningJob<ExportJobData>): Promise<void> {
    const actor = this.context.requireActor();
    if (!(await this.access.mayExport(actor))) {
      throw new ExportFailure(EXPORT_FAILURES.privilegeLost);
    }
    const source = this.sources.get(entity.source);
    const target: ExportTarget = { source: entity.source, ...entity.target };
    const plan = await source.plan(target);
    // Approved by its own request, or needing none with what it holds now (a property marked
    // sensitive since, more rows than the threshold, a requester who may no longer skip approval).
    if (!(await this.gate.cleared(entity, actor, plan))) {
      throw new ExportFailure(EXPORT_FAILURES.approvalNeeded);
    }
    await this.transactions.manager.update(
      DataExport,
      { id: entity.id, state: 'running' },
      { rowsTotal: plan.count, sensitive: entity.sensitive || plan.sensitive },
    );
    const file = writeExportFile(
      entity.format,
      plan.columns,
      this.counted(entity, plan, source.rows(target, job.signal), job),
      { expectedRows: plan.count },
    );
    const written = await this.files.write(entity.accountId, entity.id, file.bytes, {
      signal: job.signal,
    });
    if (!written) {
      return this.stopped(entity, job.signal);
    }
    const { fileTtlDays } = await this.settings.get(entity.accountId);
    const now = this.clock.now();
    const done = await this.transactions.run(async () => {
      const moved = await this.transitions.move(
        entity.id,
        'running',
        'done',
        {
          fileKey: written.key,
          contentType: file.contentType,
          fileExtension: file.extension,
          size: written.size,
          sha256: written.sha256,
          keyVersion: written.keyVersion,
          fileExpiresAt: new Date(now.getTime() + fileTtlDays * 86_400_000),
          finishedAt: now,
        },
        {
          metadata: {
            rows: await this.rowsDone(entity.id),
            size: written.size,
            sha256: written.sha256,
          },
        },
      );
      if (moved) {
        await this.notifications.ready(moved.accountId, moved.requester.userId, moved.id);
      }
      return moved;
    });
    if (!done) {
      await this.discard(entity); // cancelled meanwhile
    }
  }

  /** The source's batches, counted into `rows_done` (at most every `progressEveryRows` rows). */
  private async *counted(
    entity: DataExport,
    plan: ExportPlan,
    batches: AsyncIterable<ExportRow[]>,
    job: RunningJob<ExportJobData>,
  ): AsyncGenerator<ExportRow[]> {
    let done = 0;
    let reported = 0;
    const recordId = plan.columns.findIndex((column) => column.recordId === true);
    // Every record in a finished file is in the log.
    const noted =
      recordId >= 0 ? this.records.noting(entity.accountId, entity.id, batches, recordId) : batches;
    for await (const batch of noted) {
      yield batch;
      done += batch.length;
      if (done - reported >= this.progressEvery) {
        reported = done;
        await this.report(entity.id, done, plan.count, job);
      }
      if (job.signal.aborted) {
        return;
      }
    }
    await this.report(entity.id, done, plan.count, job);
  }

  private async report(
    id: string,
    done: number,
    total: number,
    job: RunningJob<ExportJobData>,
  ): Promise<void> {
    await this.transactions.manager.update(
      DataExport,
      { id, state: 'running' },
      { rowsDone: done },
    );
    await job.progress(total > 0 ? Math.min(100, (done * 100) / total) : 100);
  }

  private async rowsDone(id: string): Promise<number> {
    return (await this.transactions.manager.findOneByOrFail(DataExport, { id })).rowsDone;
  }

  /** Stopped between batches: a cancel ends the export; a shutdown or lost lease leaves it to the next attempt. */
  private async stopped(entity: DataExport, signal: AbortSignal): Promise<void> {
    await this.discard(entity);
    if (signal.reason === 'cancelled') {
      await this.transitions.move(entity.id, 'running', 'cancelled', {
        finishedAt: this.clock.now(),
      });
    }
  }

  private async fail(entity: DataExport, code: string): Promise<void> {
    await this.transactions.run(async () => {
      const failed = await this.transitions.move(
        entity.id,
        ['queued', 'running'],
        'failed',
        { errorCode: code, finishedAt: this.clock.now() },
        { metadata: { errorCode: code } },
      );
      if (failed) {
        await this.notifications.failed(failed.accountId, failed.requester.userId, failed.id, code);
      }
    });
    await this.discard(entity);
  }

  /** Its file and the records it noted go together: a run that keeps no file reached no one. */
  private async discard(entity: DataExport): Promise<void> {
    await this.files.remove(entity.accountId, entity.id);
    await this.records.forget(entity.accountId, entity.id);
  }

  /** Its job was cancelled before it ran: the export ends cancelled (idempotent). */
  private async endCancelledWhileQueued(job: JobView): Promise<void> {
    if (job.key) {
      await this.transitions.move(job.key, 'queued', 'cancelled', { finishedAt: this.clock.now() });
    }
  }
}
