import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, keysetPage, newId, type Page } from '@custos/core';
import { Injectable } from '@nestjs/common';
import { PrivacyErrors } from '../privacy.errors';
import { CLOSED_STATUSES } from '../requests/privacy-request.types';
import { PrivacyRequests } from '../requests/privacy-requests';
import { PrivacyHostContacts } from './host-contacts';
import { PrivacyRestriction } from './privacy-restriction.entity';

/** The subject kind of the host's contacts. */
export const CONTACT_SUBJECT = 'contact';

export interface RestrictionView {
  id: string;
  contactId: string;
  requestId: string;
  restrictedAt: Date;
}

const view = (row: PrivacyRestriction): RestrictionView => ({
  id: row.id,
  contactId: row.subjectId,
  requestId: row.requestId,
  restrictedAt: row.restrictedAt,
});

/**
 * Restriction of processing (GDPR Art. 18): a privacy operator restricts a contact from an open
 * restriction request, and lifts it later. What "restricted" means is applied by the host from
 * the one SQL condition ({@link unrestrictedCondition}) and the one write-path check
 * ({@link restrictedSubjectIds}). Audit events name the restriction, request and contact ids only.
 */
@Injectable()
export class Restrictions {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly requests: PrivacyRequests,
    private readonly host: PrivacyHostContacts,
  ) {}

  /** Restricts the request's contact (or `contactId`, one the operator may read). */
  async restrict(requestId: string, contactId?: string | null): Promise<RestrictionView> {
    const request = await this.requests.get(requestId);
    if (request.type !== 'restriction') {
      throw PrivacyErrors.wrongRequestType('restriction');
    }
    if (CLOSED_STATUSES.includes(request.status)) {
      throw PrivacyErrors.wrongStatus(request.status, 'restricted');
    }
    const subjectId = contactId ?? request.subjectContactId;
    if (!subjectId) {
      throw PrivacyErrors.noSubjectContact();
    }
    await this.host.contacts.requireReadable(subjectId);
    const actor = this.context.requireActor();
    const row = Object.assign(new PrivacyRestriction(), {
      id: newId(),
      accountId: actor.accountId,
      subjectKind: CONTACT_SUBJECT,
      subjectId,
      requestId: request.id,
      restrictedBy: actor.id,
      restrictedAt: this.clock.now(),
    });
    return this.transactions.run(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(PrivacyRestriction)
        .values(row)
        .orIgnore()
        .execute();
      // Of concurrent restrictions of one contact, the one whose row is stored wins.
      const stored = await manager.findOneByOrFail(PrivacyRestriction, {
        accountId: row.accountId,
        subjectKind: CONTACT_SUBJECT,
        subjectId,
      });
      if (stored.id !== row.id) {
        throw PrivacyErrors.alreadyRestricted();
      }
      await this.audit.record({
        action: 'privacy.subject_restricted',
        targetType: 'privacy_restriction',
        targetId: row.id,
        metadata: { requestId: request.id, contactId: subjectId },
      });
      return view(row);
    });
  }

  /** Lifts the contact's restriction: 404 when it has none or the operator may not read it. */
  async lift(contactId: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.host.contacts.requireReadable(contactId);
    await this.transactions.run(async (manager) => {
      const row = await manager.findOneBy(PrivacyRestriction, {
        accountId,
        subjectKind: CONTACT_SUBJECT,
        subjectId: contactId,
      });
      if (!row) {
        throw PrivacyErrors.restrictionNotFound();
      }
      const deleted = await manager.delete(PrivacyRestriction, { id: row.id, accountId });
      if (deleted.affected === 0) {
        // A concurrent lift took it first.
        throw PrivacyErrors.restrictionNotFound();
      }
      await this.audit.record({
        action: 'privacy.restriction_lifted',
        targetType: 'privacy_restriction',
        targetId: row.id,
        metadata: { requestId: row.requestId, contactId },
      });
    });
  }

  list(page: { limit?: number; after?: string }): Promise<Page<RestrictionView>> {
    const builder = this.transactions.manager
      .createQueryBuilder(PrivacyRestriction, 'x')
      .where('x.account_id = :accountId', { accountId: this.context.requireAccountId() });
    return keysetPage(builder, 'x.id', (row: PrivacyRestriction) => row.id, page).then((p) => ({
      results: p.results.map(view),
      paging: p.paging,
    }));
  }
}
