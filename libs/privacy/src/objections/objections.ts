import { AuditService } from '@custos/audit';
import { Blacklist, normaliseAddress } from '@custos/consent';
import { RequestContext, TransactionHost } from '@custos/core';
import { Injectable } from '@nestjs/common';
import { PrivacyErrors } from '../privacy.errors';
import { CLOSED_STATUSES } from '../requests/privacy-request.types';
import { PrivacyRequests } from '../requests/privacy-requests';
import { PrivacyHostContacts } from '../restrictions/host-contacts';

export interface ObjectionOutcome {
  /** How many addresses (e-mail, phone) the blacklist holds for the subject now. */
  blacklisted: number;
}

/**
 * Objection to direct marketing (GDPR Art. 21(2)–(3)): the subject's addresses — those of the
 * request and of its contact — go on the account's blacklist through `@custos/consent`'s
 * {@link Blacklist} (reason `objection`), so no marketing audience or mailing reaches them again.
 * Audited on the request with a count, never the addresses.
 */
@Injectable()
export class Objections {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly requests: PrivacyRequests,
    private readonly blacklist: Blacklist,
    private readonly host: PrivacyHostContacts,
  ) {}

  async applyToMarketing(requestId: string): Promise<ObjectionOutcome> {
    const request = await this.requests.get(requestId);
    if (request.type !== 'objection') {
      throw PrivacyErrors.wrongRequestType('objection');
    }
    if (CLOSED_STATUSES.includes(request.status)) {
      throw PrivacyErrors.wrongStatus(request.status, 'applied');
    }
    const accountId = this.context.requireAccountId();
    const candidates = [request.subjectEmail, request.subjectPhone];
    if (request.subjectContactId) {
      await this.host.contacts.requireReadable(request.subjectContactId);
      for (const channel of ['email', 'sms'] as const) {
        candidates.push(
          await this.host.contacts.addressOf(accountId, request.subjectContactId, channel),
        );
      }
    }
    const addresses = new Map<string, NonNullable<ReturnType<typeof normaliseAddress>>>();
    for (const candidate of candidates) {
      const normal = candidate ? normaliseAddress(candidate) : null;
      if (normal) {
        addresses.set(normal.value, normal);
      }
    }
    if (addresses.size === 0) {
      throw PrivacyErrors.noAddress();
    }
    return this.transactions.run(async () => {
      for (const normal of addresses.values()) {
        await this.blacklist.addNormal(accountId, normal, 'objection');
      }
      await this.audit.record({
        action: 'privacy.objection_applied',
        targetType: 'privacy_request',
        targetId: request.id,
        metadata: { blacklisted: addresses.size },
      });
      return { blacklisted: addresses.size };
    });
  }
}
