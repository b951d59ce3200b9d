import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import type { DatabaseKind } from '@custos/core/testing';
import {
  createProperty,
  createRecord,
  createRecords,
  expectStatus,
  uniqueName,
  type Caller,
} from '../crm/crm-support';

/** A subject planted in every place erasure must reach, and what identifies them. */
export interface ErasureSubject {
  requestId: string;
  /** The first holds a closed-won deal (so it is anonymised); the others are deleted. */
  contactIds: string[];
  dealId: string;
  emails: string[];
  phone: string;
  /** Values that must be nowhere once the subject is erased. */
  canaries: string[];
}

/** The custom property and consent purpose a server's subjects share. */
export interface ErasureWorld {
  property: string;
  /** A sensitive property: its values are sealed under each contact's own key. */
  sealedProperty: string;
  purposeId: string;
}

export async function erasureWorld(admin: Caller): Promise<ErasureWorld> {
  const property = uniqueName('canary_note');
  await createProperty(admin, 'contacts', { name: property, label: 'Note', type: 'string' });
  const enabled = await admin.post('/api/v1/settings/sensitive-data/enable', {
    categories: ['health_data'],
    acceptTerms: true,
  });
  expect([200, 409]).toContain(enabled.status);
  const sealedProperty = uniqueName('canary_diagnosis');
  await createProperty(admin, 'contacts', {
    name: sealedProperty,
    label: 'Diagnosis',
    type: 'string',
    sensitivity: {},
  });
  const purpose = expectStatus(
    await admin.post('/api/v1/consent/purposes', {
      key: uniqueName('letters'),
      name: 'Letters',
      legalBasis: 'consent',
      channels: ['email'],
      notice: 'Yes, send me letters.',
    }),
    201,
  ).body as { id: string };
  return { property, sealedProperty, purposeId: purpose.id };
}

/**
 * Plants a subject: `contacts` contacts (the first with a closed-won deal) with name, phone and a
 * custom value, the first `detailed` of them (default all) also with a change in their property
 * history, a consent event and its state; the first email on the blacklist in clear; an erasure
 * request in progress naming them.
 */
export async function plantErasureSubject(
  admin: Caller,
  world: ErasureWorld,
  tag: string,
  contacts = 2,
  detailed = contacts,
): Promise<ErasureSubject> {
  const firstname = `Canaryfirst${tag}`;
  const lastname = `Canarylast${tag}`;
  const phone = `+4930${String(Date.now()).slice(-6)}${String(contacts).padStart(2, '0')}`;
  const note = `Canarynote${tag}`;
  const emails = Array.from({ length: contacts }, (_, i) => `${tag}.canary${i}@erasure.test`);
  const created = await createRecords(
    admin,
    'contacts',
    emails.map((email) => ({
      email,
      firstname: 'Draft',
      lastname,
      phone,
      [world.property]: note,
      [world.sealedProperty]: `Sealed ${note}`,
    })),
  );
  const contactIds = created.map((record) => record.id);
  for (const id of contactIds.slice(0, detailed)) {
    expectStatus(
      await admin.patch(`/api/v1/objects/contacts/${id}`, { properties: { firstname } }),
      200,
    );
  }
  for (const [i, id] of contactIds.slice(0, detailed).entries()) {
    expectStatus(
      await admin.post(`/api/v1/consent/contacts/${id}/events`, {
        purposeId: world.purposeId,
        channel: 'email',
        address: emails[i],
        status: 'granted',
        source: 'staff',
        noticeVersion: 1,
      }),
      201,
    );
  }
  expectStatus(await admin.post('/api/v1/consent/blacklist', { address: emails[0] }), 201);
  const deal = await createRecord(admin, 'deals', {
    dealname: `Contract ${tag}`,
    dealstage: 'closedwon',
    amount: 1200,
  });
  expectStatus(
    await admin.put(`/api/v1/objects/contacts/${contactIds[0]}/associations/deals/${deal.id}`),
    204,
  );
  const request = expectStatus(
    await admin.post('/api/v1/privacy-requests', {
      type: 'erasure',
      channel: 'email',
      subjectEmail: emails[0],
      subjectName: `${firstname} ${lastname}`,
      subjectPhone: phone,
    }),
    201,
  ).body as { id: string };
  expectStatus(
    await admin.post(`/api/v1/privacy-requests/${request.id}/transition`, {
      status: 'in_progress',
    }),
    200,
  );
  return {
    requestId: request.id,
    contactIds,
    dealId: deal.id,
    emails,
    phone,
    canaries: [...emails, ...(detailed > 0 ? [firstname] : []), lastname, phone, note],
  };
}

/** The erasure's body for a planted subject (the API takes at most 10 emails). */
export const erasureBody = (subject: ErasureSubject) => ({
  contactIds: subject.contactIds,
  emails: subject.emails.slice(0, 10),
  phones: [subject.phone],
});

/**
 * Everything the database holds, as bytes: on SQLite the database file itself (after a WAL
 * checkpoint), on PostgreSQL the output of `pg_dump`.
 */
export async function databaseBytes(
  kind: DatabaseKind,
  dataSource: DataSource,
  url: string,
): Promise<string> {
  if (kind === 'sqlite') {
    await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
    const file = (dataSource.options as { database: string }).database;
    return readFileSync(file).toString('latin1');
  }
  return execFileSync('pg_dump', ['--data-only', '--no-owner', url], {
    maxBuffer: 512 * 1024 * 1024,
  }).toString('utf8');
}

/** The canaries found in `bytes` (case-insensitive), for a failure message that names them. */
export function canariesIn(bytes: string, canaries: readonly string[]): string[] {
  const text = bytes.toLowerCase();
  return canaries.filter((canary) => text.includes(canary.toLowerCase()));
}
