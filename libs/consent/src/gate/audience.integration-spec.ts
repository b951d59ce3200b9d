import fc from 'fast-check';
import { newId, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { Blacklist } from '../blacklist/blacklist';
import type { ConsentChannel, LegalBasis } from '../consent.types';
import { ConsentRecorder } from '../events/consent-recorder';
import { ConsentPurposes } from '../purposes/consent-purposes';
import { createConsentTestApp, type ConsentTestApp } from '../testing';
import { ConsentGate } from './consent-gate';

const EMAILS = ['a@example.com', 'B@Example.com', null];

/**
 * The audience condition in SQL equals the per-contact decision of `ConsentGate.mayContact` (the
 * hand-written evaluation) over random consent histories, blacklists and both kinds of legal basis.
 */
describe.each(testDatabaseKinds())('audience condition on %s', (kind) => {
  let app: ConsentTestApp;

  beforeAll(async () => {
    app = await createConsentTestApp(kind);
    await app.dataSource.query(
      'CREATE TABLE test_contact (id varchar(36) PRIMARY KEY, account_id varchar(36) NOT NULL, email varchar(320), phone varchar(64))',
    );
  });
  afterAll(() => app?.close());

  /** A fresh account, a super admin of it and one purpose on one channel. */
  async function newAccount(legalBasis: LegalBasis, channel: ConsentChannel) {
    const accountId = newId();
    const staff: Actor = {
      kind: 'user',
      id: newId(),
      accountId,
      userId: null,
      label: 'staff',
      superAdmin: true,
    };
    const purpose = await app.as(staff, () =>
      app.get(ConsentPurposes).create({
        key: 'p',
        name: 'P',
        legalBasis,
        channels: [channel],
        notice: 'n',
      }),
    );
    return { accountId, staff, purpose };
  }

  it('selects exactly the contacts the gate allows (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('consent' as const, 'legitimate_interest' as const),
        fc.array(fc.constantFrom(...EMAILS), { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.record({
            contact: fc.nat(),
            status: fc.constantFrom('granted' as const, 'withdrawn' as const),
            address: fc.constantFrom(undefined, 'a@example.com', 'b@example.com'),
            lapsed: fc.boolean(),
          }),
          { maxLength: 12 },
        ),
        fc.subarray(['a@example.com', 'b@example.com']),
        async (legalBasis, emails, steps, blacklisted) => {
          const { accountId, staff, purpose } = await newAccount(legalBasis, 'email');
          const contacts = emails.map((email) => ({ id: newId(), email }));
          for (const contact of contacts) {
            app.contacts.add(contact.id, contact.email);
            await app.dataSource.query(
              kind === 'postgres'
                ? 'INSERT INTO test_contact (id, account_id, email) VALUES ($1, $2, $3)'
                : 'INSERT INTO test_contact (id, account_id, email) VALUES (?, ?, ?)',
              [contact.id, accountId, contact.email],
            );
          }
          for (const step of steps) {
            const now = app.clock.now();
            await app.as(staff, () =>
              app.get(ConsentRecorder).record(contacts[step.contact % contacts.length].id, {
                purposeId: purpose.id,
                channel: 'email',
                address: step.address,
                status: step.status,
                source: 'staff',
                noticeVersion: step.status === 'granted' ? 1 : undefined,
                effectiveTo: step.lapsed ? new Date(now.getTime() + 1000) : undefined,
              }),
            );
          }
          for (const address of blacklisted) {
            await app.as(staff, () => app.get(Blacklist).add(address));
          }
          app.clock.advance(2000);
          const gate = app.get(ConsentGate);
          const condition = await gate.audience(accountId, purpose.id, 'email', {
            table: 'test_contact',
            alias: 'r',
            id: 'id',
            accountId: 'account_id',
            address: 'email',
          });
          const selected = (
            await app.dataSource
              .createQueryBuilder()
              .select('r.id', 'id')
              .from('test_contact', 'r')
              .where('r.account_id = :accountId', { accountId })
              .andWhere(condition.sql, condition.parameters)
              .getRawMany<{ id: string }>()
          )
            .map((r) => r.id)
            .sort();
          const allowed: string[] = [];
          for (const contact of contacts) {
            const decision = await gate.mayContact({
              accountId,
              contactId: contact.id,
              purposeId: purpose.id,
              channel: 'email',
              address: contact.email,
            });
            if (decision.allowed) {
              allowed.push(contact.id);
            }
          }
          expect(selected).toEqual(allowed.sort());
        },
      ),
      { numRuns: 25 },
    );
  });

  it('normalises phone numbers in SQL as in code: a blacklisted number leaves the SMS audience', async () => {
    const { accountId, staff, purpose } = await newAccount('legitimate_interest', 'sms');
    const listed = newId();
    const other = newId();
    for (const [id, phone] of [
      [listed, '0049 (30) 123-456.7'],
      [other, '+49 30 7654321'],
    ]) {
      await app.dataSource.query(
        kind === 'postgres'
          ? 'INSERT INTO test_contact (id, account_id, phone) VALUES ($1, $2, $3)'
          : 'INSERT INTO test_contact (id, account_id, phone) VALUES (?, ?, ?)',
        [id, accountId, phone],
      );
    }
    await app.as(staff, () => app.get(Blacklist).add('+49301234567'));
    const condition = await app.get(ConsentGate).audience(accountId, purpose.id, 'sms', {
      table: 'test_contact',
      alias: 'r',
      id: 'id',
      accountId: 'account_id',
      address: 'phone',
    });
    const selected = await app.dataSource
      .createQueryBuilder()
      .select('r.id', 'id')
      .from('test_contact', 'r')
      .where('r.account_id = :accountId', { accountId })
      .andWhere(condition.sql, condition.parameters)
      .getRawMany<{ id: string }>();
    expect(selected.map((r) => r.id)).toEqual([other]);
  });
});
