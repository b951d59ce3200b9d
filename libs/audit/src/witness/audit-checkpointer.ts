import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { Clock, Jobs, TransactionHost } from '@custos/core';
import { AuditChainHead } from '../audit-chain-head.entity';
import { AUDIT_MODULE_OPTIONS, type AuditModuleOptions } from '../audit.module-definition';
import { isHeadSignatureValid, type SignedHead } from '../hash-chain';
import { signingKeyOf } from '../signing-key';
import type { AuditCheckpoint, AuditWitness } from './audit-witness';

/** Default of {@link AuditModuleOptions.checkpointIntervalSeconds}. */
const DEFAULT_INTERVAL_SECONDS = 60;
/** Heads read per query. */
const HEAD_PAGE = 1000;

/**
 * Hands the chain heads to the module's {@link AuditWitness}: every head that moved since its last
 * checkpoint, periodically (a `Jobs` schedule, once per period per deployment; off the append
 * path, which never waits for the witness), and a
 * verified head after each successful verification. A head behind its newest checkpoint, or
 * whose signature does not verify, is never checkpointed: it is logged for verification to report.
 */
@Injectable()
export class AuditCheckpointer {
  private readonly logger = new Logger(AuditCheckpointer.name);
  private readonly signingKey: KeyObject;
  private readonly witness: AuditWitness | undefined;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly clock: Clock,
    @Inject(AUDIT_MODULE_OPTIONS) options: AuditModuleOptions,
    jobs: Jobs,
  ) {
    this.signingKey = signingKeyOf(options);
    this.witness = options.witness;
    const intervalSeconds = options.checkpointIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
    if (this.witness && intervalSeconds > 0) {
      jobs.schedule({
        name: 'audit.checkpoint',
        everySeconds: intervalSeconds,
        process: async () => {
          await this.checkpointAll();
        },
      });
    }
  }

  /** The account's newest checkpoint; `null` without a witness or before the first. */
  async newest(accountId: string): Promise<AuditCheckpoint | null> {
    return (await this.witness?.newest(accountId)) ?? null;
  }

  /** Checkpoints every head that moved since its newest checkpoint; returns how many. */
  async checkpointAll(): Promise<number> {
    if (!this.witness) {
      return 0;
    }
    let written = 0;
    let after = '';
    for (;;) {
      const heads = await this.transactions.manager
        .createQueryBuilder(AuditChainHead, 'head')
        .where('head.accountId > :after', { after })
        .orderBy('head.accountId', 'ASC')
        .limit(HEAD_PAGE)
        .getMany();
      const moved: AuditCheckpoint[] = [];
      for (const head of heads) {
        const checkpoint = await this.checkpointOf(head);
        if (checkpoint) {
          moved.push(checkpoint);
        }
      }
      await this.witness.append(moved);
      written += moved.length;
      if (heads.length < HEAD_PAGE) {
        return written;
      }
      after = heads.at(-1)!.accountId;
    }
  }

  /** Checkpoints one head that verification has just found intact, if it moved. */
  async checkpoint(head: SignedHead): Promise<void> {
    const checkpoint = await this.checkpointOf(head);
    if (checkpoint) {
      await this.witness!.append([checkpoint]);
    }
  }

  /** The checkpoint to write for `head`: `null` when it did not move, or must not be witnessed. */
  private async checkpointOf(head: SignedHead): Promise<AuditCheckpoint | null> {
    if (!this.witness) {
      return null;
    }
    const seq = Number(head.seq);
    if (!isHeadSignatureValid(this.signingKey, { ...head, seq })) {
      this.logger.error(
        `The audit chain head of account ${head.accountId} has a signature that does not verify; it is not checkpointed. Run GET /api/v1/audit-log/verify.`,
      );
      return null;
    }
    const newest = await this.witness.newest(head.accountId);
    if (newest && (seq < newest.seq || (seq === newest.seq && head.hash !== newest.hash))) {
      this.logger.error(
        `The audit chain head of account ${head.accountId} is at seq ${seq}, behind its checkpoint at seq ${newest.seq}: the audit log was rolled back. Run GET /api/v1/audit-log/verify.`,
      );
      return null;
    }
    if (newest?.seq === seq) {
      return null;
    }
    return {
      accountId: head.accountId,
      seq,
      hash: head.hash,
      signature: head.signature,
      at: this.clock.now().toISOString(),
    };
  }
}
