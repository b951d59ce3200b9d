import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CustosError, MailOutboxEntry, TransactionHost, newId, type Actor } from '@custos/core';
import { postgresPlanScans, testDatabaseKinds } from '@custos/core/testing';
import { Blacklist } from './blacklist/blacklist';
import { BOUNCE_SPREAD_MS, BOUNCE_WINDOW_MS, Bounces } from './bounces/bounces';
import { ConsentLedger, type ConsentStateRow } from './events/consent-ledger';
import { ConsentRecorder } from './events/consent-recorder';
import { BLOCKED_VALUES_POSTGRES, ConsentGate } from './gate/consent-gate';
import { ConsentPurposes, type PurposeView } from './purposes/consent-purposes';
import { createConsentTestApp, type ConsentTestApp } from './testing';
import { ConsentTokens } from './tokens/consent-tokens';

const DAY = 86_400_000;

function person(accountId: string): Actor {
  const id = newId();
  return { kind: 'user', id, accountId, userId: id, label: 'staff@example.com', superAdmin: false };
}

async function failure(work: Promise<unknown>): Promise<CustosError> {
  const error = await work.then(
    () => new Error('expected a failure'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CustosError);
  return error as CustosError;
}

/** The state the events imply: the last event of each key by seq. */
function replay(
  events: {
    contactId: string;
    purposeId: string;
    channel: string;
    address: string;
    status: string;
    seq: number;
    id: string;
  }[],
): Pick<
  ConsentStateRow,
  'contactId' | 'purposeId' | 'channel' | 'address' | 'status' | 'seq' | 'eventId'
>[] {
  const last = new Map<string, (typeof events)[number]>();
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    last.set([e.contactId, e.purposeId, e.channel, e.address].join('|'), e);
  }
  return [...last.values()]
    .map((e) => ({
      contactId: e.contactId,
      purposeId: e.purposeId,
      channel: e.channel as ConsentStateRow['channel'],
      address: e.address,
      status: e.status as ConsentStateRow['status'],
      seq: e.seq,
      eventId: e.id,
    }))
    .sort((a, b) =>
      [a.contactId, a.purposeId, a.channel, a.address].join('|') <
      [b.contactId, b.purposeId, b.channel, b.address].join('|')
        ? -1
        : 1,
    );
}

describe.each(testDatabaseKinds())('@custos/consent on %s', (kind) => {
  let app: ConsentTestApp;
  let accountId: string;
  let staff: Actor;
  let newsletter: PurposeView;

  beforeAll(async () => {
    app = await createConsentTestApp(kind, { bounceWebhookSecret: 's'.repeat(32) });
  });
  afterAll(() => app?.close());

  beforeEach(async () => {
    accountId = newId();
    staff = person(accountId);
    newsletter = await app.as(staff, () =>
      app.get(ConsentPurposes).create({
        key: 'newsletter',
        name: 'Newsletter',
        legalBasis: 'consent',
        channels: ['email', 'sms'],
        notice: 'Yes, send me the newsletter.',
      }),
    );
  });

  const record = (contactId: string, status: 'granted' | 'withdrawn', address?: string) =>
    app.as(staff, () =>
      app.get(ConsentRecorder).record(contactId, {
        purposeId: newsletter.id,
        channel: 'email',
        address,
        status,
        source: 'staff',
        noticeVersion: status === 'granted' ? 1 : undefined,
      }),
    );

  it('keeps notice versions immutable, each with the SHA-256 of its text', async () => {
    const added = await app.as(staff, () =>
      app.get(ConsentPurposes).addNotice(newsletter.id, 'Weekly now.'),
    );
    expect(added).toMatchObject({
      version: 2,
      sha256: createHash('sha256').update('Weekly now.', 'utf8').digest('hex'),
    });
    const notices = await app.as(staff, () => app.get(ConsentPurposes).notices(newsletter.id));
    expect(notices.map((n) => n.version)).toEqual([1, 2]);
  });

  it('refuses consent granted without a notice version, naming the field', async () => {
    const contactId = newId();
    app.contacts.add(contactId);
    const error = await failure(
      app.as(staff, () =>
        app.get(ConsentRecorder).record(contactId, {
          purposeId: newsletter.id,
          channel: 'email',
          status: 'granted',
          source: 'staff',
        }),
      ),
    );
    expect(error.options.errors).toEqual([expect.objectContaining({ field: 'noticeVersion' })]);
  });

  it('answers 404 for the history of a contact the actor may not read', async () => {
    const contactId = newId();
    app.contacts.add(contactId);
    await record(contactId, 'granted');
    app.contacts.hide(contactId, staff.id);
    expect(
      (await failure(app.as(staff, () => app.get(ConsentRecorder).ofContact(contactId)))).kind,
    ).toBe('not_found');
    expect((await failure(record(contactId, 'withdrawn'))).kind).toBe('not_found');
  });

  it('materialises the state as the replay of the events, and the chain verifies (property)', async () => {
    const contacts = [newId(), newId()];
    contacts.forEach((c) => app.contacts.add(c));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            contact: fc.constantFrom(...contacts),
            status: fc.constantFrom('granted' as const, 'withdrawn' as const),
            address: fc.constantFrom(undefined, 'a@example.com', 'B@Example.com'),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (steps) => {
          for (const step of steps) {
            await record(step.contact, step.status, step.address);
          }
          const ledger = app.get(ConsentLedger);
          const events = (
            await Promise.all(contacts.map((c) => ledger.eventsOf(accountId, c)))
          ).flat();
          const stored = (await ledger.storedStates(accountId)).map(
            ({ contactId, purposeId, channel, address, status, seq, eventId }) => ({
              contactId,
              purposeId,
              channel,
              address,
              status,
              seq,
              eventId,
            }),
          );
          expect(stored).toEqual(replay(events));
          expect(await ledger.rebuildStates(accountId)).toBe(stored.length);
          expect((await ledger.storedStates(accountId)).map((s) => s.eventId)).toEqual(
            stored.map((s) => s.eventId),
          );
          expect(await ledger.verify(accountId)).toMatchObject({
            valid: true,
            headSeq: events.length,
          });
        },
      ),
      { numRuns: 8 },
    );
  });

  it('shows an edited event as a hash mismatch', async () => {
    const contactId = newId();
    app.contacts.add(contactId);
    await record(contactId, 'granted');
    const second = await record(contactId, 'withdrawn');
    await app.dataSource.query(
      kind === 'postgres'
        ? `UPDATE consent_event SET status = 'granted' WHERE id = $1`
        : `UPDATE consent_event SET status = 'granted' WHERE id = ?`,
      [second.id],
    );
    expect(await app.get(ConsentLedger).verify(accountId)).toMatchObject({
      valid: false,
      reason: 'hash_mismatch',
      firstBrokenSeq: second.seq,
    });
  });

  it('finds a withdrawal undone beside the chain: a state edited back to granted, or the withdrawal marked erased alone', async () => {
    const contactId = newId();
    app.contacts.add(contactId, 'ada@example.com');
    const first = await record(contactId, 'granted');
    const second = await record(contactId, 'withdrawn');
    const ledger = app.get(ConsentLedger);
    const sql = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));
    const ask = () =>
      app.get(ConsentGate).mayContact({
        accountId,
        contactId,
        purposeId: newsletter.id,
        channel: 'email',
        address: 'ada@example.com',
      });
    const undo = () =>
      app.dataSource.query(
        sql(
          `UPDATE consent_state SET status = 'granted', seq = $1, event_id = $2, notice_version = 1 WHERE account_id = $3 AND contact_id = $4`,
        ),
        [first.seq, first.id, accountId, contactId],
      );
    await expect(ask()).resolves.toMatchObject({ allowed: false, reason: 'withdrawn' });
    // A database writer turns the state back: the gate (and so a mailing) would mail the contact.
    await undo();
    await expect(ask()).resolves.toMatchObject({ allowed: true });
    expect(await ledger.verify(accountId)).toMatchObject({
      valid: false,
      reason: 'state_mismatch',
      firstBrokenSeq: first.seq,
    });
    // Hiding the withdrawal from the replay as if erased (its hash leaves `erased_at` out) makes
    // the edited state the replay's: found because an earlier event of the contact was kept.
    await app.dataSource.query(sql(`UPDATE consent_event SET erased_at = $1 WHERE id = $2`), [
      app.clock.now().toISOString(),
      second.id,
    ]);
    expect(await ledger.verify(accountId)).toMatchObject({
      valid: false,
      reason: 'partial_erasure',
      firstBrokenSeq: second.seq,
    });
    // A real erasure (every event of the contact, its states gone) still verifies.
    await app.get(TransactionHost).run(() => ledger.eraseContact(accountId, contactId));
    expect(await ledger.verify(accountId)).toMatchObject({ valid: true });
  });

  describe('gate', () => {
    it('allows a consented contact, not a withdrawn, blacklisted or unknown one; transactional mail bypasses the blacklist', async () => {
      const gate = app.get(ConsentGate);
      const contactId = newId();
      app.contacts.add(contactId);
      const ask = (address = 'ada@example.com') =>
        gate.mayContact({
          accountId,
          contactId,
          purposeId: newsletter.id,
          channel: 'email',
          address,
        });
      await expect(ask()).resolves.toEqual({ allowed: false, reason: 'no_consent' });
      await record(contactId, 'granted');
      await expect(ask()).resolves.toEqual({ allowed: true, reason: 'consented' });
      await app.as(staff, () => app.get(Blacklist).add(' ADA@example.com '));
      await expect(ask()).resolves.toEqual({ allowed: false, reason: 'blacklisted' });
      await expect(
        gate.blockedRecipients(accountId, ['Ada@Example.com'], 'marketing'),
      ).resolves.toEqual(['Ada@Example.com']);
      await expect(
        gate.blockedRecipients(accountId, ['Ada@Example.com'], 'transactional'),
      ).resolves.toEqual([]);
      await expect(ask('other@example.com')).resolves.toEqual({
        allowed: true,
        reason: 'consented',
      });
      await record(contactId, 'withdrawn');
      await expect(ask('other@example.com')).resolves.toEqual({
        allowed: false,
        reason: 'withdrawn',
      });
    });

    it("does not block an address for one account because another account's blacklist holds it", async () => {
      const gate = app.get(ConsentGate);
      const otherAccount = newId();
      await app.as(person(otherAccount), () => app.get(Blacklist).add('grace@example.com'));
      await expect(
        gate.blockedRecipients(accountId, ['Grace@Example.com', 'ada@example.com'], 'marketing'),
      ).resolves.toEqual([]);
      await expect(
        gate.blockedRecipients(otherAccount, ['Grace@Example.com'], 'marketing'),
      ).resolves.toEqual(['Grace@Example.com']);
      const contactId = newId();
      app.contacts.add(contactId);
      await record(contactId, 'granted');
      await expect(
        gate.mayContact({
          accountId,
          contactId,
          purposeId: newsletter.id,
          channel: 'email',
          address: 'grace@example.com',
        }),
      ).resolves.toEqual({ allowed: true, reason: 'consented' });
    });

    if (kind === 'postgres') {
      it('finds the blacklisted addresses of a batch by one probe of the unique key each, with statistics missing or fresh', async () => {
        await app.dataSource.query(
          `INSERT INTO consent_blacklist (id, account_id, kind, value, reason, created_at)
           SELECT 'plan-' || n, $1, 'email', 'listed' || n || '@example.com', 'manual',
             '2026-01-01T00:00:00.000Z'
           FROM generate_series(1, 20000) AS n`,
          [accountId],
        );
        const batch = Array.from({ length: 1000 }, (_, i) =>
          i % 10 === 0 ? `Listed${i + 1}@Example.com` : `free${i}@example.com`,
        );
        const values = batch.map((address) => address.toLowerCase());
        const scans = () =>
          postgresPlanScans(
            app.dataSource,
            BLOCKED_VALUES_POSTGRES,
            [accountId, values],
            'consent_blacklist',
          );
        // Index or index-only: either way, each value one probe of the unique key.
        const probes = ['consent_blacklist_value_uq'];
        await app.dataSource.query(
          `DELETE FROM pg_statistic WHERE starelid = 'consent_blacklist'::regclass`,
        );
        expect((await scans()).map((scan) => scan.index)).toEqual(probes);
        await app.dataSource.query('ANALYZE consent_blacklist');
        expect((await scans()).map((scan) => scan.index)).toEqual(probes);
        await expect(
          app.get(ConsentGate).blockedRecipients(accountId, batch, 'marketing'),
        ).resolves.toEqual(batch.filter((_, i) => i % 10 === 0));
      });
    }

    it('gives RFC 8058 headers for a token URL', () => {
      const gate = app.get(ConsentGate);
      const url = gate.unsubscribeUrl(accountId, newId(), newsletter.id, 'email');
      expect(gate.unsubscribeHeaders(url)).toEqual({
        'List-Unsubscribe': `<${url}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      });
    });
  });

  describe('unsubscribe tokens', () => {
    let contactId: string;
    let token: string;

    beforeEach(async () => {
      contactId = newId();
      app.contacts.add(contactId);
      await record(contactId, 'granted');
      token = new URL(
        app.get(ConsentGate).unsubscribeUrl(accountId, contactId, newsletter.id, 'email'),
      ).searchParams.get('token')!;
    });

    const states = () => app.get(ConsentLedger).statesOf(accountId, contactId);

    it('withdraws at once and is idempotent', async () => {
      const recorder = app.get(ConsentRecorder);
      await expect(
        recorder.unsubscribe(token, { ip: '203.0.113.77', userAgent: 'Mail' }),
      ).resolves.toEqual({ status: 'withdrawn' });
      await recorder.unsubscribe(token, {});
      const events = await app.get(ConsentLedger).eventsOf(accountId, contactId);
      expect(events.map((e) => [e.status, e.source, e.ip])).toEqual([
        ['granted', 'staff', null],
        ['withdrawn', 'unsubscribe_link', '203.0.113.0'],
      ]);
    });

    it.each([
      [
        'altered',
        (t: string) => `${t.slice(0, 5)}${t[5] === 'A' ? 'B' : 'A'}${t.slice(6)}`,
        'validation',
      ],
      ['cut', (t: string) => t.slice(0, -1), 'validation'],
      ['forged', () => `${Buffer.from('{"k":"u"}').toString('base64url')}.abc`, 'validation'],
    ])('refuses a %s token and changes nothing', async (_name, change, kindOfError) => {
      const before = await states();
      expect((await failure(app.get(ConsentRecorder).unsubscribe(change(token), {}))).kind).toBe(
        kindOfError,
      );
      expect(await states()).toEqual(before);
    });

    it('refuses an expired token with 410 and changes nothing', async () => {
      const before = await states();
      app.clock.advance(401 * DAY);
      expect((await failure(app.get(ConsentRecorder).unsubscribe(token, {}))).kind).toBe('gone');
      expect(await states()).toEqual(before);
    });
  });

  it('double opt-in: pending with a confirmation mail, granted with its time once confirmed', async () => {
    const purpose = await app.as(staff, () =>
      app.get(ConsentPurposes).create({
        key: 'offers',
        name: 'Offers',
        legalBasis: 'consent',
        channels: ['email'],
        doubleOptIn: true,
        notice: 'Offers by mail.',
      }),
    );
    const contactId = newId();
    app.contacts.add(contactId, 'ada@example.com');
    const pending = await app.get(ConsentRecorder).recordPublic({
      accountId,
      contactId,
      purposeId: purpose.id,
      channel: 'email',
      noticeVersion: 1,
      source: 'form',
      proof: { formId: newId(), submissionId: newId() },
      request: { ip: '2001:db8:1234:5678::1', userAgent: 'Browser' },
    });
    expect(pending).toMatchObject({ status: 'pending', ip: '2001:db8:1234::' });
    const [mail] = await app.dataSource
      .getRepository(MailOutboxEntry)
      .findBy({ accountId, kind: 'consent.confirmation' });
    const link = /https:\/\/\S+/.exec(mail.text)![0];
    const token = new URL(link).searchParams.get('token')!;
    const gate = app.get(ConsentGate);
    const ask = () =>
      gate.mayContact({ accountId, contactId, purposeId: purpose.id, channel: 'email' });
    await expect(ask()).resolves.toEqual({ allowed: false, reason: 'pending_confirmation' });
    await expect(app.get(ConsentRecorder).confirm(token, {})).resolves.toEqual({
      status: 'granted',
    });
    await expect(app.get(ConsentRecorder).confirm(token, {})).resolves.toEqual({
      status: 'granted',
    });
    await expect(ask()).resolves.toEqual({ allowed: true, reason: 'consented' });
    const events = await app.get(ConsentLedger).eventsOf(accountId, contactId);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      confirmedAt: app.clock.now().toISOString(),
      proof: JSON.stringify({ confirms: pending.id }),
    });
    expect(() => app.get(ConsentTokens).verify(token, 'u')).toThrow(CustosError);
  });

  describe('bounces (Odoo rule: ≥ 5 within 13 weeks, spread over more than a week)', () => {
    const address = 'bouncy@example.com';
    const listed = () => app.get(Blacklist).has(accountId, address);

    async function bounceAt(offsetsMs: number[]): Promise<void> {
      const now = app.clock.now().getTime();
      for (const offset of offsetsMs) {
        await app.get(Bounces).record(accountId, address, 'hard_bounce', new Date(now - offset));
      }
    }

    it('does not blacklist 5 bounces spread over exactly one week', async () => {
      await bounceAt([BOUNCE_SPREAD_MS, 5 * DAY, 3 * DAY, DAY, 0]);
      await expect(listed()).resolves.toBe(false);
    });

    it('blacklists 5 bounces spread over one week and a millisecond', async () => {
      await bounceAt([BOUNCE_SPREAD_MS + 1, 5 * DAY, 3 * DAY, DAY, 0]);
      await expect(listed()).resolves.toBe(true);
    });

    it('does not blacklist 4 bounces, nor count one exactly 13 weeks old', async () => {
      await bounceAt([BOUNCE_WINDOW_MS, 20 * DAY, 10 * DAY, DAY, 0]);
      await expect(listed()).resolves.toBe(false);
    });

    it('starts again after a delivery', async () => {
      await bounceAt([30 * DAY, 20 * DAY, 10 * DAY, DAY]);
      await app.get(Bounces).record(accountId, address, 'delivered');
      await bounceAt([0]);
      await expect(listed()).resolves.toBe(false);
      const summary = await app.as(staff, () => app.get(Bounces).list({}));
      expect(summary.results).toEqual([
        expect.objectContaining({ address, bounces: 1, blacklisted: false }),
      ]);
    });
  });
});
