import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  newestFirstPage,
  type Actor,
  type Page,
  type PageQueryDto,
  isMemberInPerson,
  isPartnerAdmin,
} from '@custos/core';
import { PropertyService } from '../properties/property.service';
import { RecordService } from '../records/record.service';
import { CrmForm } from './form.entity';
import { FormSubmission } from './form-submission.entity';
import { CrmNotification } from './notification.entity';
import type { RecordDto } from '../records/record.dto';
import type { NotificationDto } from './notification.dto';

/** People have an inbox; private apps, support sessions and jobs do not. */
function recipientOf(actor: Actor): string | null {
  return isMemberInPerson(actor) || isPartnerAdmin(actor) ? actor.userId : null;
}

/**
 * The actor's own in-app notifications. Values are never stored with them: each is rendered
 * when read, through the ordinary record read path under the reader's own access, so record
 * rules, field permissions and sensitive-data rules apply as they are now.
 */
@Injectable()
export class NotificationService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertyService,
    private readonly records: RecordService,
    private readonly clock: Clock,
  ) {}

  async list(page: PageQueryDto): Promise<Page<NotificationDto>> {
    const actor = this.context.requireActor();
    const recipient = recipientOf(actor);
    if (recipient === null) {
      return { results: [], paging: {} };
    }
    const manager = this.transactions.manager;
    const builder = manager
      .createQueryBuilder(CrmNotification, 'n')
      .where('n.accountId = :accountId', { accountId: actor.accountId })
      .andWhere('n.recipientUserId = :recipient', { recipient });
    const notifications = await newestFirstPage(builder, 'n.id', (n) => n.id, page);
    const rows = notifications.results;
    if (rows.length === 0) {
      return { results: [], paging: notifications.paging };
    }
    const [forms, submissions] = await this.transactions.all(
      () =>
        manager.findBy(CrmForm, {
          accountId: actor.accountId,
          id: In([...new Set(rows.map((n) => n.formId))]),
        }),
      () =>
        manager.findBy(FormSubmission, {
          accountId: actor.accountId,
          id: In(rows.map((n) => n.submissionId)),
        }),
    );
    const formById = new Map(forms.map((f) => [f.id, f]));
    const fieldsBySubmission = new Map(submissions.map((s) => [s.id, s.fieldNames]));
    // Records shown with the same fields are read together: one read per object type and form.
    const groups = new Map<string, { objectType: string; names: string[]; ids: Set<string> }>();
    const selectionOf = new Map<string, string>();
    for (const notification of rows) {
      const schema = await this.properties.schema(notification.objectType);
      // Properties deleted since the submission are gone from the record too.
      const names = (fieldsBySubmission.get(notification.submissionId) ?? []).filter((name) =>
        schema.byName.has(name),
      );
      const key = `${notification.objectType}\u0000${names.join(',')}`;
      const group = groups.get(key) ?? {
        objectType: notification.objectType,
        names,
        ids: new Set(),
      };
      group.ids.add(notification.recordId);
      groups.set(key, group);
      selectionOf.set(notification.id, key);
    }
    const shown = new Map<string, RecordDto>();
    for (const [key, group] of groups) {
      // With no field left, a system property still tells whether the reader may see the record.
      const found = await this.records.batchRead(
        group.objectType,
        [...group.ids],
        group.names.length > 0 ? group.names : ['createdate'],
      );
      for (const record of found) {
        shown.set(
          `${key}\u0000${record.id}`,
          group.names.length > 0 ? record : { ...record, properties: {}, redacted: [] },
        );
      }
    }
    return {
      results: rows.map((notification) =>
        toNotificationDto(
          notification,
          formById.get(notification.formId)?.name ?? '',
          shown.get(`${selectionOf.get(notification.id)}\u0000${notification.recordId}`),
        ),
      ),
      paging: notifications.paging,
    };
  }

  /** Marks one of the actor's notifications read (again is harmless); others' are 404. */
  async markRead(id: string): Promise<void> {
    const actor = this.context.requireActor();
    const recipient = recipientOf(actor);
    const notification =
      recipient === null
        ? null
        : await this.transactions.manager.findOneBy(CrmNotification, {
            accountId: actor.accountId,
            recipientUserId: recipient,
            id,
          });
    if (!notification) {
      throw CustosError.notFound('crm.notification_not_found', 'The notification');
    }
    await this.transactions.manager.update(
      CrmNotification,
      { accountId: actor.accountId, id, readAt: IsNull() },
      { readAt: this.clock.now() },
    );
  }
}

/** A notification with the record as the reader may see it (`undefined`: they may not). */
function toNotificationDto(
  notification: CrmNotification,
  formName: string,
  record: RecordDto | undefined,
): NotificationDto {
  return {
    id: notification.id,
    kind: notification.kind,
    createdAt: notification.createdAt.toISOString(),
    readAt: notification.readAt?.toISOString() ?? null,
    form: { id: notification.formId, name: formName },
    submissionId: notification.submissionId,
    objectType: notification.objectType,
    recordAccessible: record !== undefined,
    ...(record
      ? {
          record: {
            id: record.id,
            properties: record.properties,
            redacted: record.redacted,
            ...(record.masked ? { masked: record.masked } : {}),
          },
        }
      : {}),
  };
}
