import { AuditService } from '@custos/audit';
import { LEGAL_BASES, type LegalBasis } from '@custos/consent';
import { Clock, RequestContext, TransactionHost, isUniqueViolation, newId } from '@custos/core';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { csvCell } from '../csv-cell';
import { PrivacyErrors } from '../privacy.errors';
import {
  PERSONAL_DATA_REGISTRY,
  type PersonalDataRegistry,
} from '../registry/personal-data-registry';
import { isDataCategory, type DataCategory } from '../taxonomy/categories';
import { ProcessingActivity } from './processing-activity.entity';
import { PRIVACY_PROCESSORS, type PrivacyProcessors, type ProcessorView } from './processors.port';

/** What an activity is created or replaced with. */
export interface ActivityInput {
  name: string;
  purposes: string[];
  lawfulBasis: LegalBasis;
  controller: string;
  dpo?: string | null;
  subjectCategories: string[];
  dataCategories: DataCategory[];
  recipients?: string[];
  transfers?: string | null;
  retention: string;
  securityMeasures: string;
}

export interface ActivityView extends Required<ActivityInput> {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A registered personal-data field, as the register lists it. */
export interface RegisteredField {
  source: string;
  owner: string;
  table: string;
  column: string;
  jsonKey: string | null;
  category: string;
  sealed: boolean;
  file: boolean;
}

export interface RegisterView {
  generatedAt: Date;
  activities: (ActivityView & { fields: RegisteredField[] })[];
  processors: ProcessorView[];
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw PrivacyErrors.invalidField(
      field,
      `must be a non-empty text of at most ${max} characters`,
    );
  }
  return value.trim();
}

function texts(value: unknown, field: string, min: number): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > 50) {
    throw PrivacyErrors.invalidField(field, `must list ${min} to 50 texts`);
  }
  return value.map((item, i) => text(item, `${field}[${i}]`, 500));
}

/** A field is listed under an activity when their categories nest, either way. */
function related(activity: readonly string[], field: string): boolean {
  return activity.some(
    (category) =>
      category === field || field.startsWith(`${category}.`) || category.startsWith(`${field}.`),
  );
}

/**
 * The register of processing activities (Art. 30): activities are kept per account; the fields
 * are not typed in but generated from the personal-data registry (a field is listed under every
 * activity whose data categories contain it, or are contained in it).
 */
@Injectable()
export class ProcessingRegister {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry,
    @Optional() @Inject(PRIVACY_PROCESSORS) private readonly processors?: PrivacyProcessors,
  ) {}

  async create(input: ActivityInput): Promise<ActivityView> {
    const now = this.clock.now();
    const row = Object.assign(new ProcessingActivity(), this.checked(input), {
      id: newId(),
      accountId: this.context.requireAccountId(),
      createdAt: now,
      updatedAt: now,
    });
    return this.transactions.run(async (manager) => {
      try {
        await manager.insert(ProcessingActivity, row);
      } catch (error) {
        throw isUniqueViolation(error) ? PrivacyErrors.duplicateActivity() : error;
      }
      await this.record('privacy.activity_created', row);
      return this.view(row);
    });
  }

  async replace(id: string, input: ActivityInput): Promise<ActivityView> {
    const checked = this.checked(input);
    return this.transactions.run(async (manager) => {
      const row = await this.require(id);
      Object.assign(row, checked, { updatedAt: this.clock.now() });
      try {
        await manager.save(ProcessingActivity, row);
      } catch (error) {
        throw isUniqueViolation(error) ? PrivacyErrors.duplicateActivity() : error;
      }
      await this.record('privacy.activity_updated', row);
      return this.view(row);
    });
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const row = await this.require(id);
      await manager.delete(ProcessingActivity, { accountId: row.accountId, id: row.id });
      await this.record('privacy.activity_deleted', row);
    });
  }

  async list(): Promise<ActivityView[]> {
    const rows = await this.transactions.manager.find(ProcessingActivity, {
      where: { accountId: this.context.requireAccountId() },
      order: { name: 'ASC' },
    });
    return rows.map((row) => this.view(row));
  }

  async get(id: string): Promise<ActivityView> {
    return this.view(await this.require(id));
  }

  /** The whole register, with each activity's registered fields and the account's processors. */
  async register(): Promise<RegisterView> {
    const accountId = this.context.requireAccountId();
    const sources = await this.registry.sourcesOf(accountId);
    const fields: RegisteredField[] = sources.flatMap((source) =>
      source.fields.map((field) => ({
        source: source.key,
        owner: source.owner,
        table: source.table,
        column: field.column,
        jsonKey: field.jsonKey ?? null,
        category: field.category,
        sealed: field.sealed !== undefined,
        file: field.file === true,
      })),
    );
    const activities = (await this.list()).map((activity) => ({
      ...activity,
      fields: fields.filter((field) => related(activity.dataCategories, field.category)),
    }));
    return {
      generatedAt: this.clock.now(),
      activities,
      processors: (await this.processors?.processorsOf(accountId)) ?? [],
    };
  }

  /** The register as CSV: one line per activity and field (an activity without fields: one line). */
  async registerCsv(): Promise<string> {
    const register = await this.register();
    const header = [
      'activity',
      'purposes',
      'lawful_basis',
      'controller',
      'dpo',
      'subject_categories',
      'data_categories',
      'recipients',
      'processors',
      'transfers',
      'retention',
      'security_measures',
      'source',
      'table',
      'column',
      'category',
      'sealed',
      'file',
    ];
    const processors = register.processors.map((p) => p.name).join('; ');
    const lines = register.activities.flatMap((a) => {
      const common = [
        a.name,
        a.purposes.join('; '),
        a.lawfulBasis,
        a.controller,
        a.dpo ?? '',
        a.subjectCategories.join('; '),
        a.dataCategories.join('; '),
        a.recipients.join('; '),
        processors,
        a.transfers ?? '',
        a.retention,
        a.securityMeasures,
      ];
      const rows = a.fields.length > 0 ? a.fields : [null];
      return rows.map((f) => [
        ...common,
        f?.source ?? '',
        f?.table ?? '',
        f ? (f.jsonKey ? `${f.column}.${f.jsonKey}` : f.column) : '',
        f?.category ?? '',
        f ? String(f.sealed) : '',
        f ? String(f.file) : '',
      ]);
    });
    return [header, ...lines].map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }

  private checked(input: ActivityInput): Omit<ActivityView, 'id' | 'createdAt' | 'updatedAt'> {
    if (!LEGAL_BASES.includes(input.lawfulBasis)) {
      throw PrivacyErrors.invalidField('lawfulBasis', `must be one of ${LEGAL_BASES.join(', ')}`);
    }
    const dataCategories = texts(input.dataCategories, 'dataCategories', 1);
    dataCategories.forEach((category, i) => {
      if (!isDataCategory(category)) {
        throw PrivacyErrors.invalidField(
          `dataCategories[${i}]`,
          'is not a fideslang data category of personal data (such as user.contact.email)',
        );
      }
    });
    return {
      name: text(input.name, 'name', 200),
      purposes: texts(input.purposes, 'purposes', 1),
      lawfulBasis: input.lawfulBasis,
      controller: text(input.controller, 'controller', 1000),
      dpo: input.dpo === undefined || input.dpo === null ? null : text(input.dpo, 'dpo', 1000),
      subjectCategories: texts(input.subjectCategories, 'subjectCategories', 1),
      dataCategories: dataCategories as DataCategory[],
      recipients: texts(input.recipients ?? [], 'recipients', 0),
      transfers:
        input.transfers === undefined || input.transfers === null
          ? null
          : text(input.transfers, 'transfers', 2000),
      retention: text(input.retention, 'retention', 2000),
      securityMeasures: text(input.securityMeasures, 'securityMeasures', 4000),
    };
  }

  private async require(id: string): Promise<ProcessingActivity> {
    const row = await this.transactions.manager.findOneBy(ProcessingActivity, {
      accountId: this.context.requireAccountId(),
      id,
    });
    if (!row) {
      throw PrivacyErrors.activityNotFound();
    }
    return row;
  }

  private record(action: string, row: ProcessingActivity): Promise<unknown> {
    return this.audit.record({
      action,
      targetType: 'privacy_activity',
      targetId: row.id,
      metadata: { lawfulBasis: row.lawfulBasis, dataCategories: row.dataCategories },
    });
  }

  private view(row: ProcessingActivity): ActivityView {
    return {
      id: row.id,
      name: row.name,
      purposes: row.purposes,
      lawfulBasis: row.lawfulBasis,
      controller: row.controller,
      dpo: row.dpo,
      subjectCategories: row.subjectCategories,
      dataCategories: row.dataCategories,
      recipients: row.recipients,
      transfers: row.transfers,
      retention: row.retention,
      securityMeasures: row.securityMeasures,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
