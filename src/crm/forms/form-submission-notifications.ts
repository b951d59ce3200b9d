import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In } from 'typeorm';
import {
  NotificationInbox,
  TransactionHost,
  type Notification,
  type NotificationKind,
  type NotificationMail,
  type NotificationToSend,
} from '@custos/core';
import { PropertySchemaService } from '../properties';
import { RecordReader, type RecordDto } from '../records';
import { CrmForm } from './form.entity';
import { FormSubmission } from './form-submission.entity';
import type { FormSubmissionNotificationFields } from './form.dto';
import { SensitiveViewAudit, SensitiveViews } from '../sensitive';

export const FORM_SUBMISSION = 'form_submission';

/** What a form-submission notification refers to: ids and the object type, never values. */
export interface FormSubmissionRefs {
  formId: string;
  submissionId: string;
  objectType: string;
  recordId: string;
}

/**
 * Form submissions in the shared inbox. Rendered when read, through the ordinary record read
 * path under the reader's own access, so record rules, field permissions and sensitive-data rules
 * apply as they are now.
 */
@Injectable()
export class FormSubmissionNotifications
  implements NotificationKind<FormSubmissionNotificationFields>, OnModuleInit
{
  readonly kind = FORM_SUBMISSION;

  constructor(
    private readonly inbox: NotificationInbox,
    private readonly transactions: TransactionHost,
    private readonly properties: PropertySchemaService,
    private readonly records: RecordReader,
    private readonly viewAudit: SensitiveViewAudit,
  ) {}

  onModuleInit(): void {
    this.inbox.register(this);
  }

  /** Tells the form's recipients, in the transaction that created the record. */
  async send(
    accountId: string,
    recipientUserIds: string[],
    refs: FormSubmissionRefs,
  ): Promise<void> {
    await this.inbox.send({
      accountId,
      recipientUserIds,
      kind: FORM_SUBMISSION,
      topicId: refs.formId,
      refs: { ...refs },
    });
  }

  /** Removes the notifications of a deleted form. */
  async forgetForm(accountId: string, formId: string): Promise<void> {
    await this.inbox.forgetTopic(accountId, FORM_SUBMISSION, formId);
  }

  /**
   * The e-mail copy names the form only: it is rendered now, for every opted-in recipient at
   * once, so it carries no submitted value (those depend on each reader's access, shown in the
   * app when read). The form's name is what every recipient sees in the app too.
   */
  async mail(notification: NotificationToSend): Promise<NotificationMail> {
    const form = await this.transactions.manager.findOneBy(CrmForm, {
      accountId: notification.accountId,
      id: notification.refs.formId,
    });
    // Control characters would break the subject line; nothing else of the name is interpreted.
    const name = (form?.name ?? '').replace(/\p{Cc}+/gu, ' ').trim();
    return {
      subject: `New submission on the form "${name}"`,
      text:
        `Someone submitted the form "${name}".\n\n` +
        'The submitted values are not in this mail: see them, as your access allows, in your ' +
        'notifications in Custos.',
      carries: [],
    };
  }

  async render(
    notifications: readonly Notification[],
  ): Promise<ReadonlyMap<string, FormSubmissionNotificationFields>> {
    const rows = notifications.map((n) => ({
      id: n.id,
      accountId: n.accountId,
      ...(n.refs as unknown as FormSubmissionRefs),
    }));
    const accountId = rows[0]?.accountId;
    if (accountId === undefined) {
      return new Map();
    }
    const manager = this.transactions.manager;
    const [forms, submissions] = await this.transactions.all(
      () => manager.findBy(CrmForm, { accountId, id: In([...new Set(rows.map((n) => n.formId))]) }),
      () => manager.findBy(FormSubmission, { accountId, id: In(rows.map((n) => n.submissionId)) }),
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
    const views = new SensitiveViews();
    for (const [key, group] of groups) {
      // With no field left, a system property still tells whether the reader may see the record.
      const found = await this.records.batchRead(
        group.objectType,
        [...group.ids],
        group.names.length > 0 ? group.names : ['createdate'],
      );
      views.merge(found.views);
      for (const record of found.value) {
        shown.set(
          `${key}\u0000${record.id}`,
          group.names.length > 0 ? record : { ...record, properties: {}, redacted: [] },
        );
      }
    }
    // What the reader is shown is audited here: the inbox knows nothing of sensitive values.
    return this.viewAudit.audited({
      value: new Map(
        rows.map((notification) => [
          notification.id,
          toFields(
            notification,
            formById.get(notification.formId)?.name ?? '',
            shown.get(`${selectionOf.get(notification.id)}\u0000${notification.recordId}`),
          ),
        ]),
      ),
      views,
    });
  }
}

/** A notification's own fields, with the record as the reader may see it (`undefined`: they may not). */
function toFields(
  refs: FormSubmissionRefs,
  formName: string,
  record: RecordDto | undefined,
): FormSubmissionNotificationFields {
  return {
    form: { id: refs.formId, name: formName },
    submissionId: refs.submissionId,
    objectType: refs.objectType,
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
