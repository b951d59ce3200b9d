import { AuditService, type AuditActor } from '@custos/audit';
import { Clock, MailOutbox, RequestContext, TransactionHost, newId, type Page } from '@custos/core';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { requireAddress, truncateIp } from '../addresses';
import { HostContacts } from '../consent-contacts';
import {
  CONSENT_CHANNELS,
  PUBLIC_CONSENT_SOURCES,
  type ConsentChannel,
  type ConsentProof,
  type ConsentRequestInfo,
  type ConsentSource,
} from '../consent.types';
import { ConsentErrors } from '../consent.errors';
import { ConsentGate } from '../gate/consent-gate';
import { ConsentPurpose } from '../purposes/consent-purpose.entity';
import { ConsentPurposes } from '../purposes/consent-purposes';
import { ConsentTokens } from '../tokens/consent-tokens';
import {
  ConsentLedger,
  type ConsentEventInput,
  type ConsentEventRow,
  type ConsentStateRow,
} from './consent-ledger';

/** Who acts through an unsubscribe, preference or confirmation link: whoever holds the mail. */
const LINK_HOLDER: AuditActor = { kind: 'anonymous', id: 'consent-link', label: 'consent link' };

/** Consent given or withdrawn, as staff, an API client or an import records it. */
export interface RecordedConsent {
  purposeId: string;
  channel: ConsentChannel;
  /** One address of the contact; leave out for all of them. */
  address?: string | null;
  status: 'granted' | 'withdrawn';
  source: Extract<ConsentSource, 'api' | 'import' | 'staff'>;
  /** The notice version the person was shown; required to record consent granted. */
  noticeVersion?: number | null;
  effectiveFrom?: Date;
  effectiveTo?: Date | null;
}

/** Consent the person gave themselves (a form's ticked checkbox). */
export interface PublicConsent {
  accountId: string;
  contactId: string;
  purposeId: string;
  channel: ConsentChannel;
  address?: string | null;
  noticeVersion: number;
  source: Extract<ConsentSource, 'form'>;
  proof: ConsentProof;
  request: ConsentRequestInfo;
}

/** A contact's consent now: one state per purpose × channel × address. */
export interface ContactConsent {
  states: ConsentStateRow[];
}

/** A state of the preference page: one per purpose the token's channel serves. */
export interface PreferenceView {
  purposeId: string;
  name: string;
  description: string | null;
  status: 'granted' | 'withdrawn' | 'pending' | 'none';
  /** The notice text's version the page shows (the latest). */
  noticeVersion: number;
}

/**
 * Records consent events for the people who give or withdraw it: staff and API clients (under
 * the actor's record rules), forms, the one-click unsubscribe link, the preference page and the
 * double opt-in confirmation link. Public sources keep the truncated IP and the user agent.
 */
@Injectable()
export class ConsentRecorder {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly ledger: ConsentLedger,
    private readonly purposes: ConsentPurposes,
    private readonly tokens: ConsentTokens,
    private readonly gate: ConsentGate,
    private readonly host: HostContacts,
    // The host's MailModule, wherever it is imported (looked up, not imported).
    private readonly moduleRef: ModuleRef,
    private readonly audit: AuditService,
  ) {}

  /** The contact's consent now, if the actor may read the contact (404 otherwise). */
  async ofContact(contactId: string): Promise<ContactConsent> {
    await this.host.contacts.requireReadable(contactId);
    return { states: await this.ledger.statesOf(this.context.requireAccountId(), contactId) };
  }

  /** The contact's history, a page in chain order, if the actor may read the contact (404 otherwise). */
  async history(
    contactId: string,
    page: { limit?: number; after?: string },
  ): Promise<Page<ConsentEventRow>> {
    await this.host.contacts.requireReadable(contactId);
    return this.ledger.eventPage(this.context.requireAccountId(), contactId, page);
  }

  /** Records consent for a contact the actor may read (404 otherwise). Audited. */
  async record(contactId: string, input: RecordedConsent): Promise<ConsentEventRow> {
    await this.host.contacts.requireReadable(contactId);
    const actor = this.context.requireActor();
    const purpose = await this.checkedPurpose(actor.accountId, input.purposeId, input.channel);
    const address = this.address(input.address);
    if (input.status === 'granted') {
      await this.checkNotice(purpose, input.noticeVersion, 'noticeVersion');
    }
    if (input.effectiveTo && input.effectiveTo <= (input.effectiveFrom ?? this.clock.now())) {
      throw ConsentErrors.invalidField('effectiveTo', 'must be after effectiveFrom');
    }
    return this.grantOrPend(purpose, {
      accountId: actor.accountId,
      contactId,
      purposeId: purpose.id,
      channel: input.channel,
      address,
      status: input.status,
      source: input.source,
      noticeVersion: input.status === 'granted' ? input.noticeVersion : null,
      actorKind: actor.kind,
      actorId: actor.id,
      effectiveFrom: input.effectiveFrom,
      effectiveTo: input.effectiveTo,
    });
  }

  /**
   * Records consent the person gave on a public form (a ticked box), in the current transaction:
   * `pending` with a confirmation mail when the purpose wants double opt-in.
   */
  async recordPublic(input: PublicConsent): Promise<ConsentEventRow> {
    const purpose = await this.checkedPurpose(input.accountId, input.purposeId, input.channel);
    await this.checkNotice(purpose, input.noticeVersion, 'noticeVersion');
    return this.grantOrPend(purpose, {
      accountId: input.accountId,
      contactId: input.contactId,
      purposeId: purpose.id,
      channel: input.channel,
      address: this.address(input.address),
      status: 'granted',
      source: input.source,
      noticeVersion: input.noticeVersion,
      actorKind: 'contact',
      actorId: input.contactId,
      ip: truncateIp(input.request.ip),
      userAgent: input.request.userAgent ?? null,
      proof: input.proof,
    });
  }

  /**
   * The one-click unsubscribe (RFC 8058): withdraws at once for every address of the contact on
   * the channel. Idempotent: when the newest state is already a withdrawal nothing is appended.
   * A token issued before a later re-consent still withdraws it (see docs/consent.md).
   */
  async unsubscribe(token: unknown, request: ConsentRequestInfo): Promise<{ status: 'withdrawn' }> {
    const claims = this.tokens.verify(token, 'u');
    await this.withdrawIfNeeded(
      claims.a,
      claims.c,
      claims.p,
      claims.ch,
      'unsubscribe_link',
      request,
    );
    return { status: 'withdrawn' };
  }

  /** What the unsubscribe page names: the purpose of a valid token (no change). */
  async describeUnsubscribe(
    token: unknown,
  ): Promise<{ purposeName: string; channel: ConsentChannel }> {
    const claims = this.tokens.verify(token, 'u');
    const purpose = await this.purposes.require(claims.a, claims.p);
    return { purposeName: purpose.name, channel: claims.ch };
  }

  /** Checks a confirmation link's token before its page is shown (no change). */
  checkConfirmation(token: unknown): void {
    this.tokens.verify(token, 'c');
  }

  /** The preference page of the token's contact and channel: each purpose and its state. */
  async preferences(
    token: unknown,
  ): Promise<{ channel: ConsentChannel; purposes: PreferenceView[] }> {
    const claims = this.tokens.verify(token, 'u');
    const [purposes, states] = await this.transactions.all(
      () => this.purposes.all(claims.a),
      () => this.ledger.statesOf(claims.a, claims.c),
    );
    const views: PreferenceView[] = [];
    for (const purpose of purposes.filter((p) => p.channels.includes(claims.ch))) {
      const newest = states
        .filter((s) => s.purposeId === purpose.id && s.channel === claims.ch)
        .sort((a, b) => b.seq - a.seq)[0];
      views.push({
        purposeId: purpose.id,
        name: purpose.name,
        description: purpose.description,
        status: newest?.status ?? 'none',
        noticeVersion: await this.purposes.latestNotice(purpose.id),
      });
    }
    return { channel: claims.ch, purposes: views };
  }

  /**
   * A change on the preference page: `withdraw` (idempotent) or `grant` (the latest notice
   * version, which the page showed). The token proves the mailbox; it names the contact and
   * channel, the purpose may be any of the account's on that channel.
   */
  async changePreference(
    token: unknown,
    purposeId: string,
    action: 'grant' | 'withdraw',
    request: ConsentRequestInfo,
  ): Promise<{ status: 'granted' | 'withdrawn' }> {
    const claims = this.tokens.verify(token, 'u');
    if (typeof purposeId !== 'string') {
      throw ConsentErrors.unknownPurpose('purposeId');
    }
    const purpose = await this.transactions.manager.findOneBy(ConsentPurpose, {
      accountId: claims.a,
      id: purposeId,
    });
    if (!purpose || !purpose.channels.includes(claims.ch)) {
      throw ConsentErrors.unknownPurpose('purposeId');
    }
    if (action === 'withdraw') {
      await this.withdrawIfNeeded(
        claims.a,
        claims.c,
        purpose.id,
        claims.ch,
        'preference_page',
        request,
      );
      return { status: 'withdrawn' };
    }
    if (action !== 'grant') {
      throw ConsentErrors.invalidField('action', 'must be grant or withdraw');
    }
    await this.append({
      accountId: claims.a,
      contactId: claims.c,
      purposeId: purpose.id,
      channel: claims.ch,
      status: 'granted',
      source: 'preference_page',
      noticeVersion: await this.purposes.latestNotice(purpose.id),
      actorKind: 'contact',
      actorId: claims.c,
      ip: truncateIp(request.ip),
      userAgent: request.userAgent ?? null,
    });
    return { status: 'granted' };
  }

  /**
   * Confirms a pending double opt-in: appends `granted` with the confirmation time, unless the
   * pending event is no longer the newest of its key (confirmed already → the same answer;
   * withdrawn since → nothing changes, `withdrawn`).
   */
  async confirm(
    token: unknown,
    request: ConsentRequestInfo,
  ): Promise<{ status: 'granted' | 'withdrawn' }> {
    const claims = this.tokens.verify(token, 'c');
    return this.transactions.run(async () => {
      const pending = await this.ledger.event(claims.a, claims.e!);
      if (!pending || pending.contactId !== claims.c || pending.purposeId !== claims.p) {
        throw ConsentErrors.invalidToken();
      }
      const newest = (await this.ledger.statesOf(claims.a, claims.c)).find(
        (s) =>
          s.purposeId === pending.purposeId &&
          s.channel === pending.channel &&
          s.address === pending.address,
      );
      if (newest && newest.eventId !== pending.id) {
        return { status: newest.status === 'granted' ? 'granted' : 'withdrawn' };
      }
      await this.append({
        accountId: claims.a,
        contactId: claims.c,
        purposeId: pending.purposeId,
        channel: pending.channel,
        address: pending.address,
        status: 'granted',
        source: 'confirmation_link',
        noticeVersion: pending.noticeVersion,
        actorKind: 'contact',
        actorId: claims.c,
        ip: truncateIp(request.ip),
        userAgent: request.userAgent ?? null,
        proof: { confirms: pending.id },
        effectiveFrom: new Date(pending.effectiveFrom),
        effectiveTo: pending.effectiveTo === null ? null : new Date(pending.effectiveTo),
        confirmedAt: this.clock.now(),
      });
      return { status: 'granted' };
    });
  }

  /** Verifies the chain of the actor's account. */
  verify() {
    return this.ledger.verify(this.context.requireAccountId());
  }

  private async withdrawIfNeeded(
    accountId: string,
    contactId: string,
    purposeId: string,
    channel: ConsentChannel,
    source: ConsentSource,
    request: ConsentRequestInfo,
  ): Promise<void> {
    await this.transactions.run(async () => {
      const newest = (await this.ledger.statesOf(accountId, contactId))
        .filter((s) => s.purposeId === purposeId && s.channel === channel)
        .sort((a, b) => b.seq - a.seq)[0];
      if (newest?.status === 'withdrawn' && newest.address === '') {
        return;
      }
      await this.append({
        accountId,
        contactId,
        purposeId,
        channel,
        status: 'withdrawn',
        source,
        actorKind: 'contact',
        actorId: contactId,
        ip: PUBLIC_CONSENT_SOURCES.has(source) ? truncateIp(request.ip) : null,
        userAgent: request.userAgent ?? null,
      });
    });
  }

  /**
   * Appends the event and audits it in one transaction (`consent.granted`, `.withdrawn`,
   * `.requested`; target the contact; no address): by the signed-in actor or the form, else by
   * the anonymous holder of a link.
   */
  private append(input: ConsentEventInput): Promise<ConsentEventRow> {
    return this.transactions.run(async () => {
      // Audit first: every path then takes the audit head's lock before the consent head's (a
      // form's record is audited before its boxes), so concurrent writers cannot deadlock.
      const id = newId();
      await this.audit.record({
        accountId: input.accountId,
        actor: this.context.actor ?? LINK_HOLDER,
        action: `consent.${input.status === 'pending' ? 'requested' : input.status}`,
        targetType: 'contact',
        targetId: input.contactId,
        metadata: {
          purposeId: input.purposeId,
          channel: input.channel,
          source: input.source,
          eventId: id,
        },
      });
      return this.ledger.append({ ...input, id });
    });
  }

  /** Appends the event; a grant of a double opt-in purpose is `pending` and sends its confirmation. */
  private async grantOrPend(
    purpose: ConsentPurpose,
    input: ConsentEventInput,
  ): Promise<ConsentEventRow> {
    if (input.status !== 'granted' || !purpose.doubleOptIn) {
      return this.append(input);
    }
    return this.transactions.run(async () => {
      const to =
        input.channel === 'email' && input.address
          ? input.address
          : await this.host.contacts.addressOf(input.accountId, input.contactId, 'email');
      if (!to) {
        throw ConsentErrors.noAddress();
      }
      const event = await this.append({ ...input, status: 'pending' });
      const token = this.tokens.issue({
        k: 'c',
        a: input.accountId,
        c: input.contactId,
        p: purpose.id,
        ch: input.channel,
        e: event.id,
      });
      const link = `${this.gate.publicUrl()}/consent/confirm?token=${token}`;
      await this.moduleRef.get(MailOutbox, { strict: false }).enqueue({
        accountId: input.accountId,
        kind: 'consent.confirmation',
        to: [to],
        subject: `Please confirm: ${purpose.name}`,
        text: `You asked to receive "${purpose.name}". Confirm with this link (it asks you to press a button):\n\n${link}\n\nIf it was not you, ignore this mail: nothing is sent to you.`,
      });
      return event;
    });
  }

  private async checkedPurpose(
    accountId: string,
    purposeId: string,
    channel: ConsentChannel,
  ): Promise<ConsentPurpose> {
    const purpose =
      typeof purposeId === 'string'
        ? await this.transactions.manager.findOneBy(ConsentPurpose, { accountId, id: purposeId })
        : null;
    if (!purpose) {
      throw ConsentErrors.unknownPurpose('purposeId');
    }
    if (!CONSENT_CHANNELS.includes(channel) || !purpose.channels.includes(channel)) {
      throw ConsentErrors.channelNotOffered('channel');
    }
    return purpose;
  }

  private async checkNotice(
    purpose: ConsentPurpose,
    version: number | null | undefined,
    field: string,
  ): Promise<void> {
    if (version === undefined || version === null) {
      throw ConsentErrors.noticeRequired(field);
    }
    if (!(await this.purposes.hasNotice(purpose.id, version))) {
      throw ConsentErrors.unknownNotice(field);
    }
  }

  private address(value: string | null | undefined): string {
    return value ? requireAddress(value, 'address').value : '';
  }
}
