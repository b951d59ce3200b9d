import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  RequestContext,
  TransactionHost,
  keysetPage,
  mapPage,
  newId,
  type PageQueryDto,
  type Page,
  isSuperAdminInPerson,
} from '@custos/core';
import { ConsentPurposes } from '@custos/consent';
import { Membership } from '@custos/identity';
import { CrmAccessService } from '../records';
import { PropertySchemaService } from '../properties';
import type { PropertySchema } from '../kernel';
import { CrmForm, type FormConsent, type FormField } from './form.entity';
import { FormSubmission } from './form-submission.entity';
import { FormSubmissionNotifications } from './form-submission-notifications';
import { formErrors } from './forms.errors';
import type {
  CreateFormDto,
  FormConsentDto,
  FormDto,
  FormFieldDto,
  UpdateFormDto,
} from './form.dto';

/**
 * Form definitions: which properties a form collects for which object type, and who is
 * notified. Saving is bounded by the saver's own rights (grant ceiling): every field must be
 * a property they may edit, and sensitive ones need a super admin in person.
 */
@Injectable()
export class FormService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly notifications: FormSubmissionNotifications,
    private readonly purposes: ConsentPurposes,
  ) {}

  async list(query: PageQueryDto): Promise<Page<FormDto>> {
    const builder = this.transactions.manager
      .createQueryBuilder(CrmForm, 'f')
      .where('f.accountId = :accountId', { accountId: this.context.requireAccountId() });
    return mapPage(await keysetPage(builder, 'f.id', (f) => f.id, query), toFormDto);
  }

  async get(id: string): Promise<FormDto> {
    return toFormDto(await this.find(this.transactions.manager, id));
  }

  async create(input: CreateFormDto): Promise<FormDto> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const schema = await this.properties.schema(input.objectType, manager);
      const fields = await this.checkFields(schema, input.fields);
      const notify = await this.checkRecipients(manager, accountId, input.notify ?? []);
      const consents = await this.checkConsents(schema, input.consents ?? []);
      const now = this.clock.now();
      const form: CrmForm = {
        id: newId(),
        accountId,
        name: input.name,
        objectType: schema.objectType.name,
        fields,
        notify,
        consents,
        active: input.active ?? true,
        createdAt: now,
        updatedAt: now,
      };
      // A copy: on PostgreSQL the insert writes the columns it returns (raw defaults) into its argument.
      await manager.insert(CrmForm, { ...form });
      await this.audit.record({
        action: 'form.created',
        targetType: 'form',
        targetId: form.id,
        metadata: { after: auditView(form) },
      });
      return toFormDto(form);
    });
  }

  async update(id: string, input: UpdateFormDto): Promise<FormDto> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const form = await this.find(manager, id, true);
      const before = auditView(form);
      // Saving fields, or switching the form on, is bounded by the saver's rights to them.
      if (input.fields !== undefined || (input.active === true && !form.active)) {
        const schema = await this.properties.schema(form.objectType, manager);
        form.fields = await this.checkFields(
          schema,
          input.fields ?? form.fields.map((f) => ({ ...f })),
        );
      }
      if (input.notify !== undefined) {
        form.notify = await this.checkRecipients(manager, accountId, input.notify);
      }
      if (input.consents !== undefined) {
        const schema = await this.properties.schema(form.objectType, manager);
        form.consents = await this.checkConsents(schema, input.consents);
      }
      form.name = input.name ?? form.name;
      form.active = input.active ?? form.active;
      form.updatedAt = this.clock.now();
      await manager.update(
        CrmForm,
        { accountId, id },
        {
          name: form.name,
          fields: form.fields,
          notify: form.notify,
          consents: form.consents,
          active: form.active,
          updatedAt: form.updatedAt,
        },
      );
      await this.audit.record({
        action: 'form.updated',
        targetType: 'form',
        targetId: id,
        metadata: { before, after: auditView(form) },
      });
      return toFormDto(form);
    });
  }

  /** Deletes the form with its submission log and notifications; the records it created stay. */
  async remove(id: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const form = await this.find(manager, id, true);
      await this.notifications.forgetForm(accountId, id);
      await manager.delete(FormSubmission, { accountId, formId: id });
      await manager.delete(CrmForm, { accountId, id });
      await this.audit.record({
        action: 'form.deleted',
        targetType: 'form',
        targetId: id,
        metadata: { before: auditView(form) },
      });
    });
  }

  /** The form of the actor's account; `lock` takes its row for the rest of the transaction. */
  async find(manager: EntityManager, id: string, lock = false): Promise<CrmForm> {
    const form = await manager.findOne(CrmForm, {
      where: { accountId: this.context.requireAccountId(), id },
      ...(lock && this.transactions.isPostgres ? { lock: { mode: 'pessimistic_write' } } : {}),
    });
    if (!form) {
      throw formErrors.notFound();
    }
    return form;
  }

  /**
   * Each field an existing, writable property of the type, once; every required property of
   * the type on the form; and the saver may edit each field's property themself.
   */
  private async checkFields(
    schema: PropertySchema,
    input: readonly FormFieldDto[],
  ): Promise<FormField[]> {
    const seen = new Set<string>();
    for (const [index, field] of input.entries()) {
      const definition = schema.byName.get(field.property);
      if (!definition) {
        throw formErrors.unknownProperty(index, field.property, schema.objectType.name);
      }
      if (seen.has(field.property)) {
        throw formErrors.duplicateField(index);
      }
      seen.add(field.property);
      if (schema.readOnly.has(field.property)) {
        throw formErrors.readOnlyField(index);
      }
      if (field.property === 'owner_id') {
        throw formErrors.ownerField(index);
      }
    }
    const missing = [...schema.byName.values()].find((d) => d.required && !seen.has(d.name));
    if (missing) {
      throw formErrors.missingRequiredProperty(missing.name);
    }
    await this.assertWithinCeiling(schema, input);
    return input.map((field) => ({
      property: field.property,
      label: field.label ?? null,
      required: (field.required ?? false) || schema.byName.get(field.property)!.required,
    }));
  }

  private async assertWithinCeiling(
    schema: PropertySchema,
    input: readonly FormFieldDto[],
  ): Promise<void> {
    const actor = this.context.requireActor();
    const access = await this.crmAccess.forSchema(schema);
    if (!access.access.ability.can('create', schema.objectType.name)) {
      throw formErrors.createForbidden(schema.objectType.name);
    }
    for (const [index, field] of input.entries()) {
      if (schema.byName.get(field.property)!.sensitivity !== null && !isSuperAdminInPerson(actor)) {
        throw formErrors.sensitiveFieldSuperAdminOnly(index, field.property);
      }
      if (!access.canEdit(field.property)) {
        throw formErrors.fieldNotEditable(index, field.property);
      }
    }
  }

  /** Recipients are active users of the account, each once. */
  /**
   * Consent boxes: contacts forms only; each a purpose of the account offering the channel, with
   * an existing notice version, each purpose once. Refusals name `consents[i].<field>`.
   */
  private async checkConsents(
    schema: PropertySchema,
    consents: readonly FormConsentDto[],
  ): Promise<FormConsent[]> {
    if (consents.length > 0 && schema.objectType.name !== 'contacts') {
      throw formErrors.invalidConsent('consents', 'only contacts forms carry consent boxes');
    }
    const accountId = this.context.requireAccountId();
    const seen = new Set<string>();
    const checked: FormConsent[] = [];
    for (const [index, consent] of consents.entries()) {
      const at = `consents[${index}]`;
      const purpose = await this.purposes.byId(accountId, consent.purposeId);
      if (!purpose || seen.has(purpose.id)) {
        throw formErrors.invalidConsent(
          `${at}.purposeId`,
          'must be a purpose of the account, once',
        );
      }
      if (!purpose.channels.includes(consent.channel)) {
        throw formErrors.invalidConsent(`${at}.channel`, 'is not a channel of the purpose');
      }
      if (!(await this.purposes.hasNotice(purpose.id, consent.noticeVersion))) {
        throw formErrors.invalidConsent(
          `${at}.noticeVersion`,
          'is not a notice version of the purpose',
        );
      }
      seen.add(purpose.id);
      checked.push({
        purposeId: purpose.id,
        channel: consent.channel,
        noticeVersion: consent.noticeVersion,
      });
    }
    return checked;
  }

  private async checkRecipients(
    manager: EntityManager,
    accountId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    const ids = userIds.map((id) => id.toLowerCase());
    const duplicate = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (duplicate >= 0) {
      throw formErrors.duplicateRecipient(duplicate);
    }
    if (ids.length === 0) {
      return [];
    }
    const active = new Set(
      (
        await manager.find(Membership, {
          select: { userId: true },
          where: { accountId, userId: In(ids), status: 'active' },
        })
      ).map((m) => m.userId),
    );
    const unknown = ids.findIndex((id) => !active.has(id));
    if (unknown >= 0) {
      throw formErrors.invalidRecipient(unknown);
    }
    return ids;
  }
}

function auditView(form: CrmForm): Record<string, unknown> {
  return {
    name: form.name,
    objectType: form.objectType,
    fields: form.fields.map((f) => f.property),
    notify: form.notify,
    consents: form.consents,
    active: form.active,
  };
}

export function toFormDto(form: CrmForm): FormDto {
  return {
    id: form.id,
    name: form.name,
    objectType: form.objectType,
    fields: form.fields.map((f) => ({
      property: f.property,
      label: f.label,
      required: f.required,
    })),
    notify: form.notify,
    consents: form.consents,
    active: form.active,
    submitUrl: `/api/v1/forms/${form.id}/submissions`,
    createdAt: form.createdAt.toISOString(),
    updatedAt: form.updatedAt.toISOString(),
  };
}
