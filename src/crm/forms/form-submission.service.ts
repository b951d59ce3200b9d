import { Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  isTransientDatabaseError,
  mapPage,
  newestFirstPage,
  newId,
  systemActor,
  type Actor,
  type PageQueryDto,
  type Page,
} from '@custos/core';
import { ConsentRecorder, type ConsentRequestInfo } from '@custos/consent';
import { Membership } from '@custos/identity';
import { CrmAccessService, RecordQuery, RecordWriter } from '../records';
import { AttachmentService } from '../attachments';
import type { UploadedFormFile } from './form-submission-upload.interceptor';
import { PropertySchemaService } from '../properties';
import { CrmForm } from './form.entity';
import { FormSubmission } from './form-submission.entity';
import { FormService } from './form.service';
import { FormSubmissionNotifications } from './form-submission-notifications';
import { SUBMITTED_FIELDS, formErrors } from './forms.errors';
import type { FormSubmissionDto } from './form.dto';

/**
 * The actor a form's submissions run as: system rights in the form's account (the form's
 * fields were checked against its saver's rights when saved), named after the form — never
 * after the person submitting, whom it does not know.
 */
export function formActor(form: Pick<CrmForm, 'id' | 'accountId'>): Actor {
  return { ...systemActor(form.accountId), id: `form:${form.id}`, label: `form:${form.id}` };
}

type SubmittedValue = string | number | boolean | null;

/** The record write names a submitted value as the submission does (`fields.<name>`). */
const asSubmitted = (): string => SUBMITTED_FIELDS;

/**
 * Public form submissions: checked against the form, then written as a new record through
 * `RecordWriter` (so validation, unique values, history with source `form`, audit and the
 * sealing of sensitive values are those of every other write). The anonymous submitter learns
 * only "accepted" or what is wrong with their input — never whether a unique value exists.
 */
@Injectable()
export class FormSubmissionService {
  private readonly logger = new Logger('FormSubmissions');

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly forms: FormService,
    private readonly records: RecordWriter,
    private readonly recordQuery: RecordQuery,
    private readonly properties: PropertySchemaService,
    private readonly attachments: AttachmentService,
    private readonly crmAccess: CrmAccessService,
    private readonly clock: Clock,
    private readonly notifications: FormSubmissionNotifications,
    private readonly consent: ConsentRecorder,
  ) {}

  /**
   * Accepts a submission (throttled per address by `FormSubmissionThrottle` before it gets here):
   * the record is created, or the failure logged for admins.
   * Files of file fields become attachments of the record (sealed once the account has sensitive
   * data on), the property holding the attachment's id.
   * Each ticked consent box (`consents`: purpose ids) records a consent event for the new contact
   * with its proof (form, submission, notice version, truncated IP, user agent) in the same
   * transaction; an unticked box records nothing.
   */
  async submit(
    formId: string,
    fields: Record<string, unknown>,
    uploaded: readonly UploadedFormFile[],
    consents: readonly string[] = [],
    request: ConsentRequestInfo = {},
  ): Promise<void> {
    // Unknown and inactive forms answer alike: no oracle for which ids exist.
    const form = await this.transactions.manager.findOneBy(CrmForm, { id: formId, active: true });
    if (!form) {
      throw formErrors.notFound();
    }
    await this.context.runAs(formActor(form), async () => {
      const schema = await this.properties.schema(form.objectType);
      const fileFields = new Set(
        form.fields
          .filter((f) => schema.byName.get(f.property)?.type === 'file')
          .map((f) => f.property),
      );
      const files = filesByField(uploaded, fileFields);
      const values = checkValues(form, fields, files, fileFields);
      const ticked = checkConsents(form, consents);
      const submissionId = newId();
      try {
        await this.transactions.run(async (manager) => {
          const {
            records: [record],
          } = await this.records.createMany(form.objectType, [values], 'form', asSubmitted);
          if (files.size > 0) {
            const attachmentIds: Record<string, string> = {};
            for (const [property, file] of files) {
              attachmentIds[property] = (
                await this.attachments.upload(form.objectType, record.id, file, property)
              ).id;
            }
            await this.records.updateMany(
              form.objectType,
              [{ id: record.id, properties: attachmentIds }],
              'form',
              asSubmitted,
            );
          }
          const submittedAt = this.clock.now();
          await manager.insert(FormSubmission, {
            id: submissionId,
            accountId: form.accountId,
            formId: form.id,
            status: 'created',
            recordId: record.id,
            errorCode: null,
            fieldNames: form.fields.map((f) => f.property),
            submittedAt,
          });
          for (const box of ticked) {
            await this.consent.recordPublic({
              accountId: form.accountId,
              contactId: record.id,
              purposeId: box.purposeId,
              channel: box.channel,
              noticeVersion: box.noticeVersion,
              source: 'form',
              proof: { formId: form.id, submissionId },
              request,
            });
          }
          await this.notifications.send(form.accountId, await this.activeRecipients(form), {
            formId: form.id,
            submissionId,
            objectType: form.objectType,
            recordId: record.id,
          });
        });
      } catch (error) {
        if (error instanceof CustosError && error.kind === 'validation') {
          throw asSubmissionError(error);
        }
        await this.recordFailure(form, submissionId, error);
      }
    });
  }

  /**
   * The form's submission log, newest first: outcome and record id, never values. A record id is
   * shown only when the reader may read that record (archived or not), else `null` like a failed
   * submission's: the log must not list records the reader's access hides.
   */
  async list(formId: string, page: PageQueryDto): Promise<Page<FormSubmissionDto>> {
    const manager = this.transactions.manager;
    const form = await this.forms.find(manager, formId);
    const builder = manager
      .createQueryBuilder(FormSubmission, 's')
      .where('s.accountId = :accountId', { accountId: form.accountId })
      .andWhere('s.formId = :formId', { formId: form.id });
    const submissions = await newestFirstPage(builder, 's.id', (s) => s.id, page);
    const recordIds = submissions.results.flatMap((s) => (s.recordId === null ? [] : [s.recordId]));
    const readable = new Set<string>();
    if (recordIds.length > 0) {
      const schema = await this.properties.schema(form.objectType, manager);
      const access = await this.crmAccess.forSchema(schema);
      const records = await this.recordQuery.find(schema, access, recordIds, { archived: 'any' });
      for (const { id } of records) {
        readable.add(id);
      }
    }
    return mapPage(submissions, (submission) =>
      toSubmissionDto(
        submission,
        submission.recordId !== null && readable.has(submission.recordId)
          ? submission.recordId
          : null,
      ),
    );
  }

  /** Recipients who are still active users of the account. */
  private async activeRecipients(form: CrmForm): Promise<string[]> {
    if (form.notify.length === 0) {
      return [];
    }
    const active = new Set(
      (
        await this.transactions.manager.find(Membership, {
          select: { userId: true },
          where: { accountId: form.accountId, userId: In(form.notify), status: 'active' },
        })
      ).map((m) => m.userId),
    );
    return form.notify.filter((id) => active.has(id));
  }

  /**
   * A submission that passed the form's checks but created no record (a unique value taken, a
   * right or edition the account no longer has): the submitter is still told "accepted", the
   * admins see the error code. Logged by code only: the values are never logged.
   */
  private async recordFailure(form: CrmForm, submissionId: string, error: unknown): Promise<void> {
    const known = error instanceof CustosError;
    const errorCode = known ? error.code : formErrors.submissionErrorCode;
    this.logger.warn(
      `Form submission ${submissionId} of form ${form.id} created no record: ${errorCode}${known ? '' : ` (${error instanceof Error ? error.name : typeof error})`}`,
    );
    await this.transactions.run((manager) =>
      manager.insert(FormSubmission, {
        id: submissionId,
        accountId: form.accountId,
        formId: form.id,
        status: 'failed',
        recordId: null,
        errorCode,
        fieldNames: form.fields.map((f) => f.property),
        submittedAt: this.clock.now(),
      }),
    );
    if (!known) {
      // Not the submitter's doing and not a state we know: a bug or an outage. The original
      // error may quote SQL parameters (values), so it is not rethrown.
      if (isTransientDatabaseError(error)) {
        throw formErrors.submissionUnavailable();
      }
      throw new Error(`Form submission ${submissionId} of form ${form.id} failed (${errorCode})`);
    }
  }
}

/**
 * The submitted values the form accepts: only its fields, primitive values, required ones
 * filled; empty values are left out. Errors name `fields.<name>` and never quote a value.
 */
/** The consent boxes of the form the submission ticked (purpose ids), each once; others are 422. */
export function checkConsents(
  form: Pick<CrmForm, 'consents'>,
  ticked: readonly string[],
): CrmForm['consents'] {
  const boxes = new Map(form.consents.map((box) => [box.purposeId, box]));
  return [...new Set(ticked)].map((purposeId, index) => {
    const box = boxes.get(purposeId);
    if (!box) {
      throw formErrors.invalidConsent(`consents[${index}]`, 'is not a consent box of the form');
    }
    return box;
  });
}

export function checkValues(
  form: Pick<CrmForm, 'fields'>,
  submitted: Record<string, unknown>,
  files: ReadonlyMap<string, unknown> = new Map(),
  fileFields: ReadonlySet<string> = new Set(),
): Record<string, SubmittedValue> {
  const byName = new Map(form.fields.map((f) => [f.property, f]));
  const values: Record<string, SubmittedValue> = {};
  for (const [name, value] of Object.entries(submitted)) {
    if (!byName.has(name)) {
      throw formErrors.unknownSubmittedField(name);
    }
    if (fileFields.has(name)) {
      throw formErrors.fileExpected(name);
    }
    if (
      value !== null &&
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'boolean'
    ) {
      throw formErrors.invalidSubmittedValue(name);
    }
    if (value !== null && !(typeof value === 'string' && value.trim() === '')) {
      values[name] = value;
    }
  }
  const missing = form.fields.find(
    // Own keys: `in` would count a property named `constructor` as filled by every object's.
    (f) => f.required && !Object.hasOwn(values, f.property) && !files.has(f.property),
  );
  if (missing) {
    throw formErrors.requiredField(missing.property);
  }
  return values;
}

/**
 * The uploaded files by the file field they are for (part `files[<property>]`), each field once.
 * Errors name the part, never the file's name or content.
 */
export function filesByField(
  uploaded: readonly UploadedFormFile[],
  fileFields: ReadonlySet<string>,
): Map<string, UploadedFormFile> {
  const files = new Map<string, UploadedFormFile>();
  for (const file of uploaded) {
    const property = /^files\[([^\]]+)\]$/.exec(file.fieldname)?.[1];
    if (property === undefined || !fileFields.has(property)) {
      throw formErrors.unknownFile(file.fieldname);
    }
    if (files.has(property)) {
      throw formErrors.duplicateFile(file.fieldname);
    }
    files.set(property, file);
  }
  return files;
}

/**
 * A validation error of the record write as the submitter sees it: its fields (named as the
 * form's, `fields.<name>`, by {@link asSubmitted}) and nothing else of the error.
 */
function asSubmissionError(error: CustosError): CustosError {
  const errors = error.options.errors ?? [];
  return new CustosError(
    'validation',
    error.code,
    errors.length > 0
      ? errors.map((e) => `${e.field}: ${e.message}`).join('; ')
      : 'The submission is invalid.',
    { errors },
  );
}

function toSubmissionDto(submission: FormSubmission, recordId: string | null): FormSubmissionDto {
  return {
    id: submission.id,
    submittedAt: submission.submittedAt.toISOString(),
    status: submission.status,
    recordId,
    ...(submission.errorCode !== null ? { errorCode: submission.errorCode } : {}),
  };
}
