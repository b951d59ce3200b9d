import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost } from '@custos/core';
import {
  DEFAULT_FILE_TTL_DAYS,
  DEFAULT_PENDING_APPROVAL_HOURS,
  EXPORTS_MODULE_OPTIONS,
  type ExportsModuleOptions,
} from '../exports.module-definition';
import { ExportErrors } from '../exports.errors';
import { ExportSettingsRecord } from './export-settings.entity';

/** An account's export settings, as in effect. */
export interface ExportSettings {
  /** Exports of more than `recordThreshold` rows need approval; sensitive ones always do. */
  approvalRequired: boolean;
  recordThreshold: number;
  /** Hours a pending approval request waits before it expires. */
  pendingExpiryHours: number;
  /** Days a finished file stays downloadable. */
  fileTtlDays: number;
}

/** Bounds of each setting (inclusive). */
export const EXPORT_SETTING_LIMITS = {
  recordThreshold: [0, 1_000_000_000],
  pendingExpiryHours: [1, 24 * 90],
  fileTtlDays: [1, 365],
} as const;

/** The export settings of the actor's account: read by every export request, changed by super admins. */
@Injectable()
export class ExportSettingsService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(EXPORTS_MODULE_OPTIONS) private readonly options: ExportsModuleOptions,
  ) {}

  /** The settings of `accountId` (default: the actor's account); the defaults when never set. */
  async get(accountId = this.context.requireAccountId()): Promise<ExportSettings> {
    const stored = await this.transactions.manager.findOneBy(ExportSettingsRecord, { accountId });
    return stored ? viewOf(stored) : this.defaults();
  }

  /** Changes some settings (422 naming a bad field; nothing changed then), audited. */
  async update(change: Partial<ExportSettings>): Promise<ExportSettings> {
    validate(change);
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const before = await this.get(accountId);
      const after: ExportSettings = { ...before, ...definedOf(change) };
      await manager.upsert(
        ExportSettingsRecord,
        { accountId, ...after, updatedAt: this.clock.now() },
        ['accountId'],
      );
      await this.audit.record({
        action: 'export.settings_changed',
        targetType: 'export_settings',
        targetId: accountId,
        metadata: { before: { ...before }, after: { ...after } },
      });
      return after;
    });
  }

  private defaults(): ExportSettings {
    return {
      approvalRequired: false,
      recordThreshold: 0,
      pendingExpiryHours: this.options.pendingApprovalHours ?? DEFAULT_PENDING_APPROVAL_HOURS,
      fileTtlDays: this.options.fileTtlDays ?? DEFAULT_FILE_TTL_DAYS,
    };
  }
}

function viewOf(stored: ExportSettingsRecord): ExportSettings {
  return {
    approvalRequired: stored.approvalRequired,
    recordThreshold: stored.recordThreshold,
    pendingExpiryHours: stored.pendingExpiryHours,
    fileTtlDays: stored.fileTtlDays,
  };
}

function definedOf(change: Partial<ExportSettings>): Partial<ExportSettings> {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
}

function validate(change: Partial<ExportSettings>): void {
  if (change.approvalRequired !== undefined && typeof change.approvalRequired !== 'boolean') {
    throw ExportErrors.invalidField('approvalRequired', 'must be true or false');
  }
  for (const [field, [min, max]] of Object.entries(EXPORT_SETTING_LIMITS)) {
    const value = change[field as keyof typeof EXPORT_SETTING_LIMITS];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw ExportErrors.invalidField(field, `must be an integer from ${min} to ${max}`);
    }
  }
}
