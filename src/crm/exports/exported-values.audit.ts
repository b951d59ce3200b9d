import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { TransactionHost } from '@custos/core';
import { SensitiveViewAudit, SensitiveViews } from '../sensitive';

/**
 * The sensitive values an export page holds, audited before the page leaves the source: values
 * opened as `sensitive_data.viewed` (as every read writes them) and highly sensitive values
 * revealed as `sensitive_data.revealed` (as the reveal route writes them), record ids and
 * property names only, never values.
 */
@Injectable()
export class ExportedValuesAudit {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly viewAudit: SensitiveViewAudit,
    private readonly audit: AuditService,
  ) {}

  async record(
    views: SensitiveViews,
    revealed: SensitiveViews,
    metadata: Record<string, unknown> = {},
  ): Promise<void> {
    const reveals = revealed.entries();
    if (views.entries().length === 0 && reveals.length === 0) {
      return;
    }
    await this.transactions.run(async () => {
      await this.viewAudit.audited({ value: null, views });
      for (const { objectType, recordIds, properties } of reveals) {
        await this.audit.record({
          action: 'sensitive_data.revealed',
          targetType: objectType,
          targetId: recordIds.length === 1 ? recordIds[0] : `${recordIds.length} records`,
          metadata: { properties, recordIds, ...metadata, channel: 'export' },
        });
      }
    });
  }
}
