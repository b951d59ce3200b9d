import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { normaliseAddress } from '@custos/consent';
import {
  Clock,
  CustosError,
  Jobs,
  MailOutbox,
  RequestContext,
  ThrottleStore,
  TransactionHost,
  newId,
  systemActor,
  throttleKey,
  type Actor,
} from '@custos/core';
import { Account } from '@custos/identity';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LessThan, MoreThanOrEqual } from 'typeorm';
import { PrivacyErrors } from '../privacy.errors';
import { PRIVACY_MODULE_OPTIONS, type PrivacyModuleOptions } from '../privacy.module-definition';
import { PRIVACY_REQUEST_TYPES, type PrivacyRequestType } from '../requests/privacy-request.types';
import { PrivacyRequest } from '../requests/privacy-request.entity';
import { PrivacyRequests } from '../requests/privacy-requests';
import { PrivacyVerification } from './privacy-verification.entity';

const HOUR_MS = 3_600_000;
/** Wrong codes after which a code is dead (the sender submits again for a new one). */
export const MAX_CODE_ATTEMPTS = 5;
/** Verifications tried per client IP per hour, whichever requests they name. */
const VERIFICATIONS_PER_IP_PER_HOUR = 60;
/** Name of the hourly schedule that closes public requests whose code died unused. */
export const UNVERIFIED_SWEEP_SCHEDULE = 'privacy.unverified-requests';
/** Requests read per query of the sweep (each then closed in its own transaction). */
const SWEEP_BATCH = 100;
const INTAKE_ACTOR_ID = 'privacy-intake';

/** What a person sends through the public form. */
export interface PublicRequestInput {
  accountId: string;
  type: PrivacyRequestType;
  email: string;
  name?: string | null;
  details?: string | null;
}

/** The answer to every well-formed submission, whatever the account or address. */
export interface PublicRequestAccepted {
  requestId: string;
  status: 'verification_sent';
}

export interface PublicRequestVerified {
  requestId: string;
  status: 'received';
  receivedOn: string;
  dueOn: string;
}

/** The actor public requests are recorded as: the account's system rights, named after the intake. */
function intakeActor(accountId: string): Actor {
  return { ...systemActor(accountId), id: INTAKE_ACTOR_ID, label: INTAKE_ACTOR_ID };
}

function hashOf(requestId: string, code: string): string {
  return createHash('sha256').update(`${requestId}:${code}`, 'utf8').digest('hex');
}

function same(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * The data subject's own intake (no login): the request is recorded `identity_unverified` with
 * channel `web_form`, and a code goes to the address it names through the mail outbox (in the
 * same transaction). The code is 8 digits, stored hashed, expires, works once and dies after
 * {@link MAX_CODE_ATTEMPTS} wrong tries; submissions are throttled per client IP and per address.
 * The answer is the same for every well-formed submission — an unknown account included — so it
 * never tells whether the address (or the account) is known. A request whose code expired or was
 * used up unconfirmed is closed by an hourly sweep ({@link closeUnverified}).
 */
@Injectable()
export class PublicPrivacyIntake implements OnModuleInit {
  private readonly codeMs: number;
  private readonly perIp: number;
  private readonly perAddress: number;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly throttles: ThrottleStore,
    // MailModule is not global: the outbox is looked up where the host imports it.
    private readonly moduleRef: ModuleRef,
    private readonly requests: PrivacyRequests,
    private readonly jobs: Jobs,
    @Inject(PRIVACY_MODULE_OPTIONS) options: PrivacyModuleOptions,
  ) {
    this.codeMs = (options.verificationCodeMinutes ?? 30) * 60_000;
    this.perIp = options.publicRequestsPerIpPerHour ?? 20;
    this.perAddress = options.publicRequestsPerAddressPerHour ?? 5;
  }

  onModuleInit(): void {
    this.jobs.schedule({
      name: UNVERIFIED_SWEEP_SCHEDULE,
      everySeconds: 3600,
      process: async (job) => {
        await this.closeUnverified(job.signal);
      },
    });
  }

  /**
   * Closes every public request still `identity_unverified` whose code can no longer confirm it
   * (expired, or used up by wrong tries): refused with its subject masked
   * ({@link PrivacyRequests.closeUnverified}, audited `privacy.request_verification_expired`),
   * its code row deleted. Staff's own unverified requests are not touched. Returns how many.
   */
  async closeUnverified(signal?: AbortSignal): Promise<number> {
    const now = this.clock.now().toISOString();
    let closed = 0;
    for (let after = ''; !signal?.aborted;) {
      const rows = await this.transactions.manager
        .createQueryBuilder(PrivacyRequest, 'r')
        .select(['r.id', 'r.accountId'])
        .where("r.status = 'identity_unverified' AND r.channel = 'web_form'")
        .andWhere('r.created_by = :intake AND r.id > :after', { intake: INTAKE_ACTOR_ID, after })
        .andWhere(
          'NOT EXISTS (SELECT 1 FROM privacy_verification v WHERE v.request_id = r.id AND v.account_id = r.account_id AND v.expires_at > :now)',
          { now },
        )
        .orderBy('r.id', 'ASC')
        .limit(SWEEP_BATCH)
        .getMany();
      for (const row of rows) {
        if (await this.closeOne(row)) {
          closed += 1;
        }
      }
      if (rows.length < SWEEP_BATCH) {
        break;
      }
      after = rows[rows.length - 1].id;
    }
    return closed;
  }

  /** `false` when it was verified or changed meanwhile (the request's own conditional update). */
  private async closeOne({ id, accountId }: PrivacyRequest): Promise<boolean> {
    try {
      await this.context.runAs(intakeActor(accountId), () =>
        this.transactions.run(async (manager) => {
          await this.requests.closeUnverified(id);
          await manager.delete(PrivacyVerification, { accountId, requestId: id });
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof CustosError && error.kind === 'conflict') {
        return false;
      }
      throw error;
    }
  }

  async submit(input: PublicRequestInput, ip: string | null): Promise<PublicRequestAccepted> {
    if (!PRIVACY_REQUEST_TYPES.includes(input.type)) {
      throw PrivacyErrors.invalidField(
        'type',
        `must be one of ${PRIVACY_REQUEST_TYPES.join(', ')}`,
      );
    }
    const address = typeof input.email === 'string' ? normaliseAddress(input.email) : null;
    if (address?.kind !== 'email') {
      throw PrivacyErrors.invalidField('email', 'must be an email address');
    }
    await this.take('privacy-intake:ip', ip ?? 'unknown', this.perIp);
    await this.take('privacy-intake:address', address.value, this.perAddress);
    const accountId = typeof input.accountId === 'string' ? input.accountId : '';
    const known =
      accountId.length > 0 &&
      accountId.length <= 36 &&
      (await this.transactions.manager.existsBy(Account, { id: accountId }));
    if (!known) {
      // The same answer as for a real submission: an id that names nothing.
      return { requestId: newId(), status: 'verification_sent' };
    }
    return this.context.runAs(intakeActor(accountId), () =>
      this.transactions.run(async (manager) => {
        const request = await this.requests.intake({
          type: input.type,
          channel: 'web_form',
          subjectEmail: address.value,
          subjectName: input.name ?? null,
          details: input.details ?? null,
          identityVerified: false,
        });
        const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
        await manager.insert(PrivacyVerification, {
          requestId: request.id,
          accountId,
          codeHash: hashOf(request.id, code),
          expiresAt: new Date(this.clock.now().getTime() + this.codeMs),
          attempts: 0,
        });
        const minutes = Math.round(this.codeMs / 60_000);
        await this.moduleRef.get(MailOutbox, { strict: false }).enqueue({
          accountId,
          kind: 'privacy.verification',
          to: [address.value],
          subject: 'Your verification code for your privacy request',
          text: `Your code is ${code}. It is valid for ${minutes} minutes and works once.\n\nEnter it where you made the request to confirm that you asked. If you did not make a privacy request, ignore this message: nothing happens without the code.\n\nRequest reference: ${request.id}\n`,
        });
        return { requestId: request.id, status: 'verification_sent' as const };
      }),
    );
  }

  /** The code proves the mailbox: the request becomes `received` and its clock starts. */
  async verify(
    input: { accountId: string; requestId: string; code: string },
    ip: string | null,
  ): Promise<PublicRequestVerified> {
    await this.take('privacy-verify:ip', ip ?? 'unknown', VERIFICATIONS_PER_IP_PER_HOUR);
    const { accountId, requestId, code } = input;
    if (
      [accountId, requestId, code].some(
        (value) => typeof value !== 'string' || value.length === 0 || value.length > 36,
      )
    ) {
      throw PrivacyErrors.verificationFailed();
    }
    // A wrong code's attempt is counted in a transaction that commits: it stays counted although
    // the answer is a refusal. The right code is spent in the transaction that verifies.
    const request = await this.context.runAs(intakeActor(accountId), () =>
      this.transactions.run(async (manager) => {
        const row = await manager.findOneBy(PrivacyVerification, { accountId, requestId });
        if (!row) {
          return null;
        }
        const where = { requestId, accountId };
        if (row.expiresAt <= this.clock.now()) {
          await manager.delete(PrivacyVerification, where);
          return null;
        }
        if (same(row.codeHash, hashOf(requestId, code))) {
          // Single use: of concurrent tries with the right code one deletes the row, and none
          // once the wrong tries used the code up meanwhile.
          const spent = await manager.delete(PrivacyVerification, {
            ...where,
            attempts: LessThan(MAX_CODE_ATTEMPTS),
          });
          return spent.affected === 1 ? this.requests.verifyIdentity(requestId) : null;
        }
        // Counted in SQL, so concurrent wrong tries each count.
        await manager
          .createQueryBuilder()
          .update(PrivacyVerification)
          .set({ attempts: () => 'attempts + 1' })
          .where('request_id = :requestId AND account_id = :accountId', where)
          .execute();
        await manager.delete(PrivacyVerification, {
          ...where,
          attempts: MoreThanOrEqual(MAX_CODE_ATTEMPTS),
        });
        return null;
      }),
    );
    if (!request) {
      throw PrivacyErrors.verificationFailed();
    }
    return {
      requestId,
      status: 'received',
      receivedOn: request.receivedOn,
      dueOn: request.dueOn,
    };
  }

  private async take(kind: string, value: string, max: number): Promise<void> {
    const window = await this.throttles.hit(throttleKey(kind, value), HOUR_MS);
    if (window.count > max) {
      throw PrivacyErrors.intakeThrottled(Math.max(1, Math.ceil(window.resetInMs / 1000)));
    }
  }
}
