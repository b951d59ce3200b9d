import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { KeyRing } from '@custos/crypto';
import { sealBytesInFormat, sealInFormat } from '@custos/crypto/testing';
import { AttachmentSweepJob } from '../../src/crm/attachments/attachment-sweep.job';
import { callerOf, expectStatus, type Caller } from '../access/access-support';
import { auditEvents, expectProblem } from '../support/api';
import { waitForRotation } from '../support/key-rotation-support';
import { startTestServer, type TestServer } from '../support/test-server';
import { createProperty, uniqueName } from './crm-support';

/** A value and a file content that must never be served at another record's place. */
const CANARY = 'CANARY-3b1d-moved-value';
const FILE_CANARY = 'CANARY-3b1d-moved-file';

interface AttachmentView {
  id: string;
  property: string | null;
}

interface HistoryEntryView {
  property: string;
  oldValue?: unknown;
  newValue?: unknown;
  /** Sides whose value does not open: left out of the entry. */
  redacted?: string[];
}

/** An entry's new value, or `redacted` when it did not open. */
const newValueOf = (h: HistoryEntryView): unknown =>
  h.redacted?.includes('newValue') ? 'redacted' : h.newValue;

describe.each(testDatabaseKinds())(
  'Sealed values and files bound to their record and property on %s',
  (kind) => {
    let server: TestServer;
    let adminToken: string;
    let admin: Caller;
    let diagnosis: string;

    /** Runs SQL written with `$n` placeholders on either database: the tampering of a database writer. */
    const tamper = (sql: string, parameters: unknown[]): Promise<unknown> =>
      server.dataSource.query(kind === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'), parameters);

    const storedPath = (attachmentId: string) =>
      join(server.config.dataDir, 'attachments', server.accountId, attachmentId);

    const contact = async (properties: Record<string, unknown>) =>
      expectStatus(await admin.post('/api/v1/objects/contacts', { properties }), 201).body as {
        id: string;
      };

    const historyOf = async (recordId: string, property = diagnosis) =>
      expectStatus(
        await admin.get(`/api/v1/objects/contacts/${recordId}/history`, { property }),
        200,
      ).body.results as HistoryEntryView[];

    const historyIdOf = async (recordId: string): Promise<string> => {
      const rows = await server.dataSource.query<{ id: string }[]>(
        kind === 'postgres'
          ? 'SELECT id FROM crm_property_history WHERE record_id = $1 AND property_name = $2'
          : 'SELECT id FROM crm_property_history WHERE record_id = ? AND property_name = ?',
        [recordId, diagnosis],
      );
      expect(rows).toHaveLength(1);
      return rows[0].id;
    };

    const upload = (recordId: string, content: string, property?: string): Test => {
      const request = admin.upload(`/api/v1/objects/contacts/${recordId}/attachments`);
      if (property) {
        request.field('property', property);
      }
      return request.attach('file', Buffer.from(content, 'utf8'), {
        filename: 'scan.txt',
        contentType: 'text/plain',
      });
    };

    const attach = async (recordId: string, content: string, property?: string) =>
      expectStatus(await upload(recordId, content, property), 201).body as AttachmentView;

    const contentOf = (attachmentId: string) =>
      admin.get(`/api/v1/attachments/${attachmentId}/content`);

    beforeAll(async () => {
      server = await startTestServer(kind);
      adminToken = await server.login();
      admin = callerOf(server, adminToken);
      expectStatus(
        await admin.post('/api/v1/settings/sensitive-data/enable', {
          categories: ['health_data'],
          acceptTerms: true,
        }),
        200,
      );
      diagnosis = uniqueName('diagnosis');
      await createProperty(admin, 'contacts', {
        name: diagnosis,
        label: 'Diagnosis',
        type: 'string',
        sensitivity: {},
      });
    });

    afterAll(async () => server.close());

    describe('issue 11 item 5: a database writer moves a sealed value or file to another record', () => {
      it('shows a history entry moved to another record as redacted there, never the other record’s value', async () => {
        const victim = await contact({ lastname: 'Victim', [diagnosis]: CANARY });
        const target = await contact({ lastname: 'Target', [diagnosis]: 'target value' });
        const moved = await historyIdOf(victim.id);
        await tamper('UPDATE crm_property_history SET record_id = $1 WHERE id = $2', [
          target.id,
          moved,
        ]);
        const logsBefore = server.logs.length;

        const history = await historyOf(target.id);

        expect({
          values: history.map(newValueOf).sort(),
          leaked: JSON.stringify(history).includes(CANARY),
        }).toEqual({ values: ['redacted', 'target value'].sort(), leaked: false });
        const logged = server.logs.slice(logsBefore).join('');
        expect({
          logged: logged.includes('does not open'),
          leaked: logged.includes(CANARY),
        }).toEqual({ logged: true, leaked: false });
      });

      it('refuses the file of an attachment moved to another record, logging no content', async () => {
        const victim = await contact({ lastname: 'Victim of a file move' });
        const target = await contact({ lastname: 'Target of a file move' });
        const file = await attach(victim.id, FILE_CANARY);
        await tamper('UPDATE crm_attachment SET record_id = $1 WHERE id = $2', [
          target.id,
          file.id,
        ]);
        const logsBefore = server.logs.length;

        const response = await contentOf(file.id);

        expectProblem(response, 503, { code: 'crm.attachment_unreadable' });
        expect(JSON.stringify(response.body) + response.text).not.toContain(FILE_CANARY);
        expect(server.logs.slice(logsBefore).join('')).not.toContain(FILE_CANARY);
      });
      it('refuses the file of an attachment moved out of the file property holding it, logging no content', async () => {
        const xray = uniqueName('xray');
        await createProperty(admin, 'contacts', { name: xray, label: 'X-ray', type: 'file' });
        const record = await contact({ lastname: 'Held file' });
        const file = await attach(record.id, FILE_CANARY, xray);
        await tamper('UPDATE crm_attachment SET property_name = NULL WHERE id = $1', [file.id]);
        const logsBefore = server.logs.length;

        const response = await contentOf(file.id);

        expectProblem(response, 503, { code: 'crm.attachment_unreadable' });
        expect(JSON.stringify(response.body) + response.text).not.toContain(FILE_CANARY);
        expect(server.logs.slice(logsBefore).join('')).not.toContain(FILE_CANARY);
      });
    });

    describe('issue 11 item 1: deleting a file property destroys the files it holds', () => {
      let scan: string;
      let record: { id: string };
      let held: AttachmentView;
      let loose: AttachmentView;

      beforeAll(async () => {
        scan = uniqueName('scan');
        await createProperty(admin, 'contacts', {
          name: scan,
          label: 'Scan',
          type: 'file',
          sensitivity: {},
        });
        record = await contact({ lastname: 'Scanned' });
        held = await attach(record.id, `${FILE_CANARY} held`, scan);
        loose = await attach(record.id, 'a file no property holds');
        expectStatus(
          await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
            properties: { [scan]: held.id },
          }),
          200,
        );
        expectStatus(await admin.delete(`/api/v1/properties/contacts/${scan}`), 204);
      });

      it('leaves no trace of the files in the record’s list, even for a super admin', async () => {
        const list = expectStatus(
          await admin.get(`/api/v1/objects/contacts/${record.id}/attachments`),
          200,
        ).body.results as AttachmentView[];
        expect(list.map((a) => a.id)).toEqual([loose.id]);
      });

      it('answers 404 for the content of a destroyed file', async () => {
        expectProblem(await contentOf(held.id), 404, { code: 'crm.attachment_not_found' });
      });

      it('removes the stored bytes of destroyed files with the sweep, and keeps the others', async () => {
        await server.app.get(AttachmentSweepJob).sweep(0);
        expect({
          held: existsSync(storedPath(held.id)),
          loose: existsSync(storedPath(loose.id)),
        }).toEqual({ held: false, loose: true });
      });

      it('audits the deletion by property name with the number of files, never a value or file name', async () => {
        const [event] = await auditEvents(server, adminToken, {
          action: 'property.deleted',
          targetId: `contacts.${scan}`,
        });
        expect(event.metadata).toMatchObject({ filesDestroyed: 1 });
        expect(JSON.stringify(event)).not.toMatch(/CANARY|scan\.txt/);
      });
    });

    describe('issue 11 item 5: envelopes sealed the former way (format 1)', () => {
      let record: { id: string };
      let target: { id: string };
      let historyId: string;
      let file: AttachmentView;
      let heldLater: AttachmentView;
      const formerValue = 'value sealed the former way';
      const formerFile = Buffer.from('file sealed the former way', 'utf8');

      const storedHistoryValue = async (): Promise<string> => {
        const [row] = await server.dataSource.query<{ new_value: string }[]>(
          kind === 'postgres'
            ? 'SELECT new_value FROM crm_property_history WHERE id = $1'
            : 'SELECT new_value FROM crm_property_history WHERE id = ?',
          [historyId],
        );
        return JSON.parse(row.new_value) as string;
      };

      beforeAll(async () => {
        record = await contact({ lastname: 'Before the upgrade', [diagnosis]: 'to be replaced' });
        target = await contact({ lastname: 'Target after the upgrade' });
        historyId = await historyIdOf(record.id);
        file = await attach(record.id, 'to be replaced');
        // Uploaded before any property held it: sealed with its record alone.
        const photo = uniqueName('photo');
        await createProperty(admin, 'contacts', { name: photo, label: 'Photo', type: 'file' });
        heldLater = await attach(record.id, 'held after the upload');
        expectStatus(
          await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
            properties: { [photo]: heldLater.id },
          }),
          200,
        );
        // What a server before this change wrote: bound to the history entry or attachment alone.
        const { active } = await server.app.get(KeyRing).accountKeys(server.accountId);
        const accountId = server.accountId;
        const envelope = sealInFormat(1, JSON.stringify(formerValue), active, {
          accountId,
          table: 'crm_property_history',
          column: diagnosis,
          recordId: `${historyId}:new`,
        });
        await tamper('UPDATE crm_property_history SET new_value = $1 WHERE id = $2', [
          JSON.stringify(envelope),
          historyId,
        ]);
        writeFileSync(
          storedPath(file.id),
          sealBytesInFormat(1, formerFile, active, {
            accountId,
            purpose: 'attachment',
            id: file.id,
          }),
        );
      });

      // One scenario: the rotation reseals what the first steps open, and the moves need it done.
      it('opens envelopes sealed the former way, seals them again into the record binding on a key rotation, and then no longer opens them once moved', async () => {
        // Still opens a history value and a file sealed the former way.
        const history = await historyOf(record.id);
        const content = await contentOf(file.id);
        expect({ history: history.map((h) => h.newValue), content: content.text }).toEqual({
          history: [formerValue],
          content: formerFile.toString('utf8'),
        });

        // Opens a file a property came to hold after its upload.
        expect((await contentOf(heldLater.id)).text).toBe('held after the upload');

        // Seals them again into the record binding on a key rotation (a contact's value and file
        // under the contact's own key: format 3).
        expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
        const done = await waitForRotation(admin);
        expect(done.rotation).toMatchObject({ status: 'completed' });
        const envelope = Buffer.from((await storedHistoryValue()).slice(4), 'base64url');
        const bytes = readFileSync(storedPath(file.id));
        expect({
          historyFormat: envelope.readUInt8(0),
          fileFormat: bytes.readUInt8(3),
          history: (await historyOf(record.id)).map((h) => h.newValue),
          content: (await contentOf(file.id)).text,
        }).toEqual({
          historyFormat: 3,
          fileFormat: 3,
          history: [formerValue],
          content: formerFile.toString('utf8'),
        });

        // No longer opens them once moved to another record after the rotation.
        await tamper('UPDATE crm_property_history SET record_id = $1 WHERE id = $2', [
          target.id,
          historyId,
        ]);
        await tamper('UPDATE crm_attachment SET record_id = $1 WHERE id = $2', [
          target.id,
          file.id,
        ]);
        expect((await historyOf(target.id)).map(newValueOf)).toEqual(['redacted']);
        expectProblem(await contentOf(file.id), 503, { code: 'crm.attachment_unreadable' });

        // No longer opens a file held after its upload once moved out of its property.
        expect((await contentOf(heldLater.id)).text).toBe('held after the upload');
        await tamper('UPDATE crm_attachment SET property_name = NULL WHERE id = $1', [
          heldLater.id,
        ]);
        expectProblem(await contentOf(heldLater.id), 503, { code: 'crm.attachment_unreadable' });
      });
    });
  },
);
