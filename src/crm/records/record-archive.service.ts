import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import { Clock, TransactionHost } from '@custos/core';
import { PropertyHistoryService } from '../history';
import { objectTypeOf } from '../kernel';
import { PropertySchemaService } from '../properties';
import { SensitiveViews, type Shown } from '../sensitive';
import { CrmAccessService } from './crm-access.service';
import { RecordPurgeHooks, type PurgedRecords } from './record-purge.port';
import { RecordQuery } from './record-query';
import { assertChangeable } from './record-restriction';
import { deleteRecords, updateRecord } from './record-store';
import type { RecordDto } from './record.dto';
import { RecordPresenter } from './record.presenter';

/** Archived records are purged this long after archiving. */
export const ARCHIVE_RETENTION_DAYS = 90;

/**
 * Archiving (restorable for {@link ARCHIVE_RETENTION_DAYS} days), restoring and purging records.
 * A purge deletes the records with what every feature keeps about them (its purge hooks).
 */
@Injectable()
export class RecordArchive {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly properties: PropertySchemaService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly presenter: RecordPresenter,
    private readonly purgeHooks: RecordPurgeHooks,
    private readonly history: PropertyHistoryService,
  ) {}

  /** Archives a record or, with `purge`, deletes it for good (archived or not). */
  async remove(objectType: string, id: string, purge: boolean): Promise<void> {
    await this.transactions.run(async (manager) => {
      const schema = await this.properties.schema(objectType, manager);
      const access = await this.crmAccess.forSchema(schema);
      // Archiving an archived record stays a 404: only the records this request could act on.
      const record = await this.query.require(schema, access, id, 'delete', {
        lock: true,
        archived: purge ? 'any' : false,
      });
      await assertChangeable(manager, schema, record.accountId, [id], () => 'id');
      if (purge) {
        await this.purge(manager, {
          accountId: record.accountId,
          objectType: schema.objectType.name,
          recordIds: [id],
        });
        // Names (never values) of the sensitive values destroyed with the record.
        const sensitiveProperties = Object.keys(record.sealed).sort();
        await this.audit.record({
          action: 'record.purged',
          targetType: schema.objectType.name,
          targetId: id,
          metadata: sensitiveProperties.length > 0 ? { sensitiveProperties } : {},
        });
        return;
      }
      record.archivedAt = this.clock.now().toISOString();
      await updateRecord(manager, schema, record, access.sensitive);
      await this.audit.record({
        action: 'record.archived',
        targetType: schema.objectType.name,
        targetId: id,
        metadata: {},
      });
    });
  }

  /** Restores an archived record (restoring needs the right to delete it). */
  async restore(objectType: string, id: string): Promise<Shown<RecordDto>> {
    return this.transactions.run(async (manager) => {
      const schema = await this.properties.schema(objectType, manager);
      const access = await this.crmAccess.forSchema(schema);
      const record = await this.query.require(schema, access, id, 'delete', {
        lock: true,
        archived: true,
        refusedAs: 'restore',
      });
      await assertChangeable(manager, schema, record.accountId, [id], () => 'id');
      record.archivedAt = null;
      await updateRecord(manager, schema, record, access.sensitive);
      await this.audit.record({
        action: 'record.restored',
        targetType: schema.objectType.name,
        targetId: id,
        metadata: {},
      });
      const views = new SensitiveViews();
      return {
        value: this.presenter.record(record, [...schema.byName.keys()], access, views),
        views,
      };
    });
  }

  /**
   * Deletes records for good, after their history and what the features keep about them (unique
   * values, blind index, associations, attachments — whose stored files follow with the sweep).
   */
  async purge(manager: EntityManager, purged: PurgedRecords): Promise<void> {
    if (purged.recordIds.length === 0) {
      return;
    }
    // History lies below records, so records purge it themselves rather than through a hook.
    await this.history.purgeRecords(manager, purged);
    await this.purgeHooks.purge(manager, purged);
    await deleteRecords(manager, objectTypeOf(purged.objectType).table, purged);
  }
}
