import { newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import type { AuditEventDto } from './audit-event.dto';
import { AuditLogReader } from './audit-log-reader';
import {
  AUDIT_METADATA_REDACTOR,
  type AuditMetadataRedactor,
  type HiddenMetadata,
} from './audit-metadata-redactor';
import { createAuditTestApp, testActor, type AuditTestApp } from './testing/audit-test-app';

/** A host that hides `salary` on widgets and shows everything else. */
class WidgetRedactor implements AuditMetadataRedactor {
  readonly asked: AuditEventDto[][] = [];

  async hiddenFrom(events: readonly AuditEventDto[]): Promise<readonly HiddenMetadata[]> {
    this.asked.push([...events]);
    return events.map((event) =>
      event.targetType === 'widget' ? new Set(['salary']) : new Set<string>(),
    );
  }
}

describe(AuditLogReader.name, () => {
  describe.each(testDatabaseKinds())('on %s', (kind) => {
    let app: AuditTestApp;
    let sut: AuditLogReader;
    const redactor = new WidgetRedactor();
    const accountId = newId();
    const superAdmin = testActor(accountId);
    /** Holds `view_audit_log` through its scopes, and is no super admin in person. */
    const apiKey = testActor(accountId, {
      kind: 'private_app',
      superAdmin: false,
      scopes: ['view_audit_log'],
    });
    const list = () => sut.list({}, {}).then((page) => page.results);

    beforeAll(async () => {
      app = await createAuditTestApp(kind, {
        providers: [{ provide: AUDIT_METADATA_REDACTOR, useValue: redactor }],
      });
      sut = app.module.get(AuditLogReader);
      await app.context.runAs(superAdmin, async () => {
        await app.sut.record({
          action: 'widget.updated',
          targetType: 'widget',
          targetId: 'w-1',
          metadata: { changed: ['salary', 'colour'] },
        });
        await app.sut.record({
          action: 'team.created',
          targetType: 'team',
          targetId: 't-1',
          metadata: { after: { name: 'salary' } },
        });
      });
    });

    afterAll(async () => {
      await app.close();
    });

    it('removes the names the host hides from a reader who is not a super admin in person', async () => {
      const [team, widget] = await app.context.runAs(apiKey, list);
      expect(widget).toMatchObject({ metadata: { changed: ['colour'] }, metadataRedacted: true });
      expect(team).toMatchObject({
        metadata: { after: { name: 'salary' } },
        metadataRedacted: false,
      });
    });

    it('shows super admins in person the events as stored, without asking the host', async () => {
      const asked = redactor.asked.length;
      const [, widget] = await app.context.runAs(superAdmin, list);
      expect(widget).toMatchObject({ metadata: { changed: ['salary', 'colour'] } });
      expect(redactor.asked).toHaveLength(asked);
    });

    it('leaves the stored events as they were, so the chain verifies', async () => {
      await app.context.runAs(apiKey, list);
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({ valid: true });
    });
  });
});
