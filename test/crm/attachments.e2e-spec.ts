import {
  copyFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'supertest';
import { RequestContext, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { AttachmentSweepJob } from '../../src/crm/attachments/attachment-sweep.job';
import { AttachmentService, readAll } from '../../src/crm/attachments/attachment.service';
import { CrmAttachment } from '../../src/crm/attachments/attachment.entity';
import {
  UNKNOWN_ID,
  callerOf,
  expectStatus,
  Setup,
  type Caller,
  type RecordView,
} from '../access/access-support';
import { auditEvents, expectProblem, newAccount } from '../support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';

interface AttachmentView {
  id: string;
  objectType: string;
  recordId: string;
  fileName: string;
  contentType: string;
  size: number;
  encrypted: boolean;
  createdAt: string;
  createdBy: { kind: string; id: string };
}

const MAX_BYTES = 64 * 1024;
const CANARY = 'CANARY-diagnosis-F32.1-do-not-leak';
const READ_CONTACTS = { objectType: 'contacts', action: 'read', level: 'account' };

/** Collects a response body as bytes, whatever its content type. */
function binary(response: Test): Test {
  return response.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

describe.each(testDatabaseKinds())('attachments of CRM records on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let admin: Caller;
  let contact: RecordView;

  const pathOf = (accountId: string, id: string) =>
    join(server.config.dataDir, 'attachments', accountId, id);
  const stored = (id: string, accountId = server.accountId) => readFileSync(pathOf(accountId, id));
  const storedFiles = () => {
    const dir = join(server.config.dataDir, 'attachments', server.accountId);
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  };

  const upload = (
    caller: Caller,
    record: { id: string },
    content: Buffer | string,
    fileName = 'referral.txt',
    contentType = 'text/plain',
    objectType = 'contacts',
  ): Test =>
    caller
      .upload(`/api/v1/objects/${objectType}/${record.id}/attachments`)
      .attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), {
        filename: fileName,
        contentType,
      });

  async function attach(
    record: { id: string },
    content: Buffer | string,
    fileName?: string,
    contentType?: string,
    as: Caller = admin,
  ): Promise<AttachmentView> {
    return expectStatus(await upload(as, record, content, fileName, contentType), 201)
      .body as AttachmentView;
  }

  const download = (caller: Caller, id: string): Test =>
    binary(caller.get(`/api/v1/attachments/${id}/content`));

  beforeAll(async () => {
    server = await startTestServer(kind, {
      env: { CUSTOS_ATTACHMENT_MAX_BYTES: String(MAX_BYTES) },
    });
    setup = new Setup(server, await server.login());
    admin = setup.admin;
    contact = await setup.contact();
  });

  afterAll(async () => {
    await server.close();
  });

  describe('before sensitive data is enabled', () => {
    it('uploads, lists, describes and downloads a file, stored as it came', async () => {
      // A record of its own: the test lists every file of it.
      const record = await setup.contact();
      const content = Buffer.concat([Buffer.from(CANARY), Buffer.from([0, 1, 2, 255, 254])]);
      const created = await attach(record, content, 'Überweisung März.pdf', 'application/pdf');
      expect(created).toMatchObject({
        objectType: 'contacts',
        recordId: record.id,
        fileName: 'Überweisung März.pdf',
        contentType: 'application/pdf',
        size: content.length,
        encrypted: false,
        createdBy: { kind: 'user' },
      });
      expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
      expect(stored(created.id).equals(content)).toBe(true);

      const list = expectStatus(
        await admin.get(`/api/v1/objects/contacts/${record.id}/attachments`),
        200,
      );
      expect(list.body.results).toEqual([created]);
      expect(expectStatus(await admin.get(`/api/v1/attachments/${created.id}`), 200).body).toEqual(
        created,
      );

      const file = expectStatus(await download(admin, created.id), 200);
      expect((file.body as Buffer).equals(content)).toBe(true);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(file.headers['content-disposition']).toBe(
        `attachment; filename="_berweisung M_rz.pdf"; filename*=UTF-8''%C3%9Cberweisung%20M%C3%A4rz.pdf`,
      );

      const [event] = await auditEvents(server, setup.adminToken, {
        action: 'attachment.uploaded',
        targetId: created.id,
      });
      expect(event.metadata).toEqual({
        objectType: 'contacts',
        recordId: record.id,
        attachmentId: created.id,
        size: content.length,
        encrypted: false,
      });
      // Plaintext downloads are not audited; encrypted ones are (below).
      expect(
        await auditEvents(server, setup.adminToken, {
          action: 'attachment.downloaded',
          targetId: created.id,
        }),
      ).toEqual([]);
    });

    it('keeps only a safe file name and a plain media type', async () => {
      const created = await attach(
        contact,
        'x',
        '../../etc/"quoted"\u202Efdp.exe',
        'Text/HTML; charset=utf-8',
      );
      expect(created.fileName).toBe('"quoted"fdp.exe');
      expect(created.contentType).toBe('text/html');
      const file = expectStatus(await download(admin, created.id), 200);
      expect(file.headers['content-disposition']).toBe(
        `attachment; filename="_quoted_fdp.exe"; filename*=UTF-8''%22quoted%22fdp.exe`,
      );
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    });

    it('answers 413 for a file over CUSTOS_ATTACHMENT_MAX_BYTES and stores nothing', async () => {
      const before = storedFiles();
      const response = await upload(admin, contact, Buffer.alloc(MAX_BYTES + 1, 0x61));
      expectProblem(response, 413, { code: 'crm.attachment_too_large' });
      expect(response.body.maxBytes).toBe(MAX_BYTES);
      expect(storedFiles()).toEqual(before);
      expect((await upload(admin, contact, Buffer.alloc(MAX_BYTES, 0x61))).status).toBe(201);
    });

    it('answers 422 without a file part, and for malformed ids', async () => {
      expectProblem(
        await admin
          .upload(`/api/v1/objects/contacts/${contact.id}/attachments`)
          .field('property', 'cv'),
        422,
        { code: 'crm.attachment_file_missing', field: 'file' },
      );
      expectProblem(await admin.get('/api/v1/attachments/not-an-id'), 422, {
        field: 'attachmentId',
      });
    });
  });

  it('needs authentication on every route: no link works without a token', async () => {
    const created = await attach(contact, 'secret');
    const anonymous = callerOf(server, null);
    for (const response of [
      await upload(anonymous, contact, 'x'),
      await anonymous.get(`/api/v1/objects/contacts/${contact.id}/attachments`),
      await anonymous.get(`/api/v1/attachments/${created.id}`),
      await anonymous.get(`/api/v1/attachments/${created.id}/content`),
      await anonymous.delete(`/api/v1/attachments/${created.id}`),
    ]) {
      expectProblem(response, 401);
    }
    expect(existsSync(pathOf(server.accountId, created.id))).toBe(true);
  });

  describe('access follows the record', () => {
    it('lets a reader list and download but not upload or delete (403)', async () => {
      const created = await attach(contact, 'readable');
      const reader = await setup.userWithRole({ privileges: [READ_CONTACTS] });
      const before = storedFiles();
      expectProblem(await upload(reader.caller, contact, 'x'), 403, {
        code: 'crm.record_forbidden',
      });
      expect(storedFiles()).toEqual(before);
      expectProblem(await reader.caller.delete(`/api/v1/attachments/${created.id}`), 403);
      const list = expectStatus(
        await reader.caller.get(`/api/v1/objects/contacts/${contact.id}/attachments`),
        200,
      );
      expect((list.body.results as AttachmentView[]).map((a) => a.id)).toContain(created.id);
      expect(
        (expectStatus(await download(reader.caller, created.id), 200).body as Buffer).toString(),
      ).toBe('readable');
    });

    it('answers 404 for a record outside the caller’s rules, as for one that does not exist', async () => {
      const hidden = await setup.contact({ country: 'FR' });
      const created = await attach(hidden, 'hidden');
      const writer = await setup.userWithRole({
        privileges: [READ_CONTACTS, { objectType: 'contacts', action: 'update', level: 'account' }],
      });
      await setup.rule({ roleId: writer.roleId, actions: ['read'], condition: { country: 'DE' } });
      for (const response of [
        await upload(writer.caller, hidden, 'x'),
        await writer.caller.get(`/api/v1/objects/contacts/${hidden.id}/attachments`),
        await writer.caller.get(`/api/v1/attachments/${created.id}`),
        await writer.caller.get(`/api/v1/attachments/${created.id}/content`),
        await writer.caller.delete(`/api/v1/attachments/${created.id}`),
        await upload(writer.caller, { id: UNKNOWN_ID }, 'x'),
        await writer.caller.get(`/api/v1/attachments/${UNKNOWN_ID}`),
      ]) {
        expectProblem(response, 404);
      }
      const visible = await setup.contact({ country: 'DE' });
      expect((await upload(writer.caller, visible, 'fine')).status).toBe(201);
    });

    it('keeps accounts apart', async () => {
      const created = await attach(contact, 'mine');
      const other = await newAccount(server, setup.adminToken, 'Other', {
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      const stranger = callerOf(server, other.token);
      expectProblem(await stranger.get(`/api/v1/attachments/${created.id}`), 404);
      expectProblem(await stranger.get(`/api/v1/attachments/${created.id}/content`), 404);
      expectProblem(await stranger.delete(`/api/v1/attachments/${created.id}`), 404);
      expectProblem(await upload(stranger, contact, 'x'), 404);
      expectProblem(await stranger.get(`/api/v1/objects/contacts/${contact.id}/attachments`), 404);
      expect(existsSync(pathOf(server.accountId, created.id))).toBe(true);
    });
  });

  it('deletes a file for good (audited), and a purged record takes its files with it', async () => {
    const created = await attach(contact, 'to delete');
    expectStatus(await admin.delete(`/api/v1/attachments/${created.id}`), 204);
    expectProblem(await admin.get(`/api/v1/attachments/${created.id}`), 404);
    expect(existsSync(pathOf(server.accountId, created.id))).toBe(false);
    const [event] = await auditEvents(server, setup.adminToken, {
      action: 'attachment.deleted',
      targetId: created.id,
    });
    expect(event.metadata).toMatchObject({ recordId: contact.id, attachmentId: created.id });

    const doomed = await setup.contact();
    const kept = await attach(doomed, 'archived, not purged');
    expectStatus(await admin.delete(`/api/v1/objects/contacts/${doomed.id}`), 204);
    expect(await server.dataSource.manager.countBy(CrmAttachment, { id: kept.id })).toBe(1);
    expectStatus(await admin.delete(`/api/v1/objects/contacts/${doomed.id}`, { purge: true }), 204);
    expect(await server.dataSource.manager.countBy(CrmAttachment, { id: kept.id })).toBe(0);
    expect(existsSync(pathOf(server.accountId, kept.id))).toBe(true);
    await attach(contact, 'still referred to');
    const sweep = server.app.get(AttachmentSweepJob);
    expect(await sweep.sweep()).toBe(0); // within the grace period of uploads in flight
    await sweep.sweep(0);
    expect(existsSync(pathOf(server.accountId, kept.id))).toBe(false);
    // Files still referred to are never swept.
    expect(storedFiles().length).toBeGreaterThan(0);
    for (const name of storedFiles()) {
      expect(await server.dataSource.manager.countBy(CrmAttachment, { id: name })).toBe(1);
    }
  });

  describe('once sensitive data is enabled', () => {
    // In an account of its own: the other tests need the setting still off.
    let owner: Setup;
    let accountId: string;
    let record: RecordView;
    let plaintext: AttachmentView;
    let sealed: AttachmentView;
    const secret = Buffer.from(`${CANARY}\n${CANARY}\n`.repeat(50), 'utf8');
    const attachHere = (content: Buffer | string, fileName?: string) =>
      attach(record, content, fileName, undefined, owner.admin);

    beforeAll(async () => {
      const account = await newAccount(server, setup.adminToken, 'Sensitive', {
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      owner = new Setup(server, account.token);
      accountId = account.accountId;
      record = await owner.contact();
      plaintext = await attachHere(`${CANARY} uploaded before`);
      expectStatus(
        await owner.admin.post('/api/v1/settings/sensitive-data/enable', {
          categories: ['health_data'],
          acceptTerms: true,
        }),
        200,
      );
      sealed = await attachHere(secret, 'diagnosis.txt');
    });

    it('encrypts new files before they reach the disk and serves them back identical', async () => {
      expect(sealed).toMatchObject({ encrypted: true, size: secret.length });
      const onDisk = stored(sealed.id, accountId);
      expect(onDisk.includes(Buffer.from(CANARY))).toBe(false);
      expect(onDisk.includes(Buffer.from('F32.1'))).toBe(false);
      const row = await server.dataSource.manager.findOneByOrFail(CrmAttachment, { id: sealed.id });
      expect({ encrypted: row.encrypted, keyVersion: row.keyVersion }).toEqual({
        encrypted: true,
        keyVersion: 1,
      });
      const file = expectStatus(await download(owner.admin, sealed.id), 200);
      expect((file.body as Buffer).equals(secret)).toBe(true);
      expect(file.headers['content-type']).toBe('text/plain');
      const events = await auditEvents(server, owner.adminToken, {
        action: 'attachment.downloaded',
        targetId: sealed.id,
      });
      expect(events).toHaveLength(1);
      expect(events[0].metadata).toEqual({
        objectType: 'contacts',
        recordId: record.id,
        attachmentId: sealed.id,
        size: secret.length,
        encrypted: true,
      });
      expect(JSON.stringify(events)).not.toContain('diagnosis');
    });

    it('leaves files uploaded before as they were', async () => {
      expect(
        expectStatus(await owner.admin.get(`/api/v1/attachments/${plaintext.id}`), 200).body,
      ).toEqual(plaintext);
      expect(stored(plaintext.id, accountId).toString('utf8')).toBe(`${CANARY} uploaded before`);
      const row = await server.dataSource.manager.findOneByOrFail(CrmAttachment, {
        id: plaintext.id,
      });
      expect(row.keyVersion).toBeNull();
      const file = expectStatus(await download(owner.admin, plaintext.id), 200);
      expect((file.body as Buffer).toString('utf8')).toBe(`${CANARY} uploaded before`);
    });

    it('never serves an encrypted file to a support session', async () => {
      const support: Actor = {
        kind: 'support',
        id: 'support-agent-1',
        accountId,
        userId: null,
        label: 'support',
        superAdmin: false,
      };
      const service = server.app.get(AttachmentService);
      const asSupport = <T>(work: () => Promise<T>) =>
        server.app.get(RequestContext).runAs(support, work);
      await expect(asSupport(() => service.download(sealed.id))).rejects.toMatchObject({
        kind: 'forbidden',
        code: 'crm.attachment_sensitive',
      });
      // Files from before the setting are not sensitive: support sessions read records, so also these.
      const file = await asSupport(() => service.download(plaintext.id));
      await expect(readAll(file.getStream())).resolves.toBeInstanceOf(Buffer);
    });

    it('refuses a tampered or swapped file with a problem, logging no content', async () => {
      const tamperedOne = await attachHere(secret, 'tampered.txt');
      const bytes = stored(tamperedOne.id, accountId);
      bytes[bytes.length - 40] ^= 0x01;
      writeFileSync(pathOf(accountId, tamperedOne.id), bytes);
      const logsBefore = server.logs.length;
      const response = await owner.admin.get(`/api/v1/attachments/${tamperedOne.id}/content`);
      expectProblem(response, 503, { code: 'crm.attachment_unreadable' });
      expect(JSON.stringify(response.body)).not.toMatch(/stack|CANARY/i);

      // A sealed file moved under another attachment's name does not open either.
      const swapped = await attachHere('another file', 'other.txt');
      copyFileSync(pathOf(accountId, sealed.id), pathOf(accountId, swapped.id));
      expectProblem(await owner.admin.get(`/api/v1/attachments/${swapped.id}/content`), 503, {
        code: 'crm.attachment_unreadable',
      });
      const logged = server.logs.slice(logsBefore).join('');
      expect(logged).toContain('An encrypted attachment cannot be opened');
      expect(logged).toContain(tamperedOne.id);
      expect(logged).not.toContain(CANARY);
      expect(logged).not.toContain('tampered.txt');
      expect(
        await auditEvents(server, owner.adminToken, {
          action: 'attachment.downloaded',
          targetId: tamperedOne.id,
        }),
      ).toEqual([]);
    });

    it('answers a problem when the stored file is gone', async () => {
      const gone = await attachHere('gone');
      await server.app.get(AttachmentSweepJob).sweep(0);
      expect(existsSync(pathOf(accountId, gone.id))).toBe(true);
      rmSync(pathOf(accountId, gone.id));
      expectProblem(await owner.admin.get(`/api/v1/attachments/${gone.id}/content`), 503, {
        code: 'crm.attachment_unreadable',
      });
    });
  });
});
