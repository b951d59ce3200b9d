import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { Clock, CustosError, RequestContext, TransactionHost } from '@custos/core';
import {
  INTEGRATION_NAME_PATTERN,
  SensitiveDataIntegration,
} from './sensitive-data-integration.entity';
import type { SensitiveDataIntegrationDto } from './sensitive-data-integrations.dto';
import {
  SensitiveDataService,
  lockAccountOrFail,
  requireSuperAdminUser,
} from './sensitive-data.service';

/** Which integrations (and webhooks) a super admin allowed to receive sensitive properties. */
@Injectable()
export class SensitiveDataIntegrationsService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: SensitiveDataService,
  ) {}

  async list(): Promise<SensitiveDataIntegrationDto[]> {
    const rows = await this.transactions.manager.find(SensitiveDataIntegration, {
      where: { accountId: this.context.requireAccountId() },
      order: { name: 'ASC' },
    });
    return rows.map(toDto);
  }

  /**
   * Allows `name` to receive sensitive properties; idempotent (enabling it again changes and
   * audits nothing). Needs sensitive data on (409) and the enterprise edition (403).
   */
  async enable(name: string): Promise<SensitiveDataIntegrationDto> {
    const actor = requireSuperAdminUser(
      this.context,
      'Only a super admin of the account may choose which integrations receive sensitive data.',
    );
    checkName(name);
    return this.transactions.run(async (manager) => {
      await lockAccountOrFail(manager, actor.accountId);
      const state = await this.settings.state(actor.accountId, manager);
      if (!state.enabled) {
        throw new CustosError(
          'conflict',
          'sensitive_data.not_enabled',
          'Sensitive data is not enabled for this account; enable it before allowing integrations to receive it.',
        );
      }
      if (!state.enterprise) {
        throw new CustosError(
          'forbidden',
          'sensitive_data.edition_required',
          'Allowing an integration to receive sensitive data needs the enterprise edition; disabling stays possible.',
        );
      }
      const existing = await manager.findOneBy(SensitiveDataIntegration, {
        accountId: actor.accountId,
        name,
      });
      if (existing) {
        return toDto(existing);
      }
      const row: SensitiveDataIntegration = {
        accountId: actor.accountId,
        name,
        enabledAt: this.clock.now(),
        enabledBy: actor.userId ?? actor.id,
      };
      await manager.insert(SensitiveDataIntegration, row);
      await this.audit.record({
        action: 'sensitive_data.integration_enabled',
        targetType: 'sensitive_data_integration',
        targetId: name,
        metadata: { name },
      });
      return toDto(row);
    });
  }

  /** Stops `name` from receiving sensitive properties; 404 when it was not allowed. */
  async disable(name: string): Promise<void> {
    const actor = requireSuperAdminUser(
      this.context,
      'Only a super admin of the account may choose which integrations receive sensitive data.',
    );
    checkName(name);
    await this.transactions.run(async (manager) => {
      await lockAccountOrFail(manager, actor.accountId);
      const existing = await manager.findOneBy(SensitiveDataIntegration, {
        accountId: actor.accountId,
        name,
      });
      if (!existing) {
        throw CustosError.notFound(
          'sensitive_data.integration_not_found',
          `Integration "${name}" (not enabled for sensitive data)`,
        );
      }
      await manager.delete(SensitiveDataIntegration, { accountId: actor.accountId, name });
      await this.audit.record({
        action: 'sensitive_data.integration_disabled',
        targetType: 'sensitive_data_integration',
        targetId: name,
        metadata: {
          name,
          enabledAt: existing.enabledAt.toISOString(),
          enabledBy: existing.enabledBy,
        },
      });
    });
  }
}

function checkName(name: string): void {
  if (!INTEGRATION_NAME_PATTERN.test(name)) {
    throw CustosError.invalidField(
      'sensitive_data.invalid_integration_name',
      'name',
      'must start with a lower-case letter, then up to 63 lower-case letters, digits, "_" or "-"',
    );
  }
}

function toDto(row: SensitiveDataIntegration): SensitiveDataIntegrationDto {
  return { name: row.name, enabledAt: row.enabledAt.toISOString(), enabledBy: row.enabledBy };
}
