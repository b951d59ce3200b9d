import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransactionHost } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { SubjectKeys } from '@custos/crypto';
import { SensitiveDataService } from '../../sensitive-data';
import { RecordWriter } from '../records';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { AttachmentService, readAll } from './attachment.service';

/**
 * Erasure reaches copies of the file store (issue 18): a contact's sealed attachment is under the
 * contact's own key, so once that key is destroyed neither the live file nor a copy of the store
 * taken before (put back in place, read with the live keys) yields it; another contact's does.
 */
describe.each(testDatabaseKinds())('Crypto-shredding of attachments on %s', (kind) => {
  let crm: CrmTestApp;
  let copyDir: string;

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    copyDir = mkdtempSync(join(tmpdir(), 'custos-store-copy-'));
    await crm.as(crm.admin, () => crm.app.get(SensitiveDataService).enable(['health_data']));
  });

  afterAll(async () => {
    await crm.close();
    rmSync(copyDir, { recursive: true, force: true });
  });

  const asAdmin = <T>(work: () => Promise<T>) => crm.as(crm.admin, work);

  async function contactWithFile(name: string): Promise<{ contactId: string; fileId: string }> {
    const { value } = await asAdmin(() =>
      crm.app.get(RecordWriter).create('contacts', { lastname: name }),
    );
    const content = Buffer.from(`Scan of ${name}`);
    const file = await asAdmin(() =>
      crm.app.get(AttachmentService).upload('contacts', value.id, {
        buffer: content,
        originalname: 'scan.txt',
        mimetype: 'text/plain',
        size: content.length,
      }),
    );
    return { contactId: value.id, fileId: file.id };
  }

  const download = (fileId: string) =>
    asAdmin(async () =>
      (await readAll((await crm.app.get(AttachmentService).download(fileId)).getStream())).toString(
        'utf8',
      ),
    );

  it('a copy of the store taken before the contact’s key was destroyed no longer yields its file', async () => {
    const erased = await contactWithFile('Erasedfile');
    const kept = await contactWithFile('Keptfile');
    const live = (fileId: string) => join(crm.dataDir, 'attachments', crm.accountId, fileId);
    const copied = (fileId: string) => join(copyDir, fileId);
    for (const { fileId } of [erased, kept]) {
      cpSync(live(fileId), copied(fileId));
      expect(readFileSync(copied(fileId)).toString('latin1')).not.toContain('Scan of');
    }
    expect(await download(erased.fileId)).toBe('Scan of Erasedfile');

    await asAdmin(() =>
      crm.app
        .get(TransactionHost)
        .run(() => crm.app.get(SubjectKeys).destroy(crm.accountId, 'contact', erased.contactId)),
    );

    await expect(download(erased.fileId)).rejects.toMatchObject({
      code: 'crm.attachment_unreadable',
    });
    // The copy restored in place of the live file, read with the live keys: still nothing.
    writeFileSync(live(erased.fileId), readFileSync(copied(erased.fileId)));
    await expect(download(erased.fileId)).rejects.toMatchObject({
      code: 'crm.attachment_unreadable',
    });
    writeFileSync(live(kept.fileId), readFileSync(copied(kept.fileId)));
    expect(await download(kept.fileId)).toBe('Scan of Keptfile');
  });
});
