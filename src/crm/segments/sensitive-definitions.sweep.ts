import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { conditionFields, RecordRule } from '@custos/access';
import { AuditService } from '@custos/audit';
import { CustosError, RequestContext, TransactionHost, systemActor } from '@custos/core';
import { CrmAccessService } from '../records';
import { CustomPropertyDefinition, PropertySchemaService } from '../properties';
import { quotesSensitiveValue, tokenizeSensitiveFilters } from '../search';
import { Segment } from './segment.entity';
import type { SensitiveFields } from '../sensitive';

/** What {@link SensitiveDefinitionsSweep.sweep} changed and found. */
export interface SensitiveDefinitionsReport {
  /** Segments whose compared values of sensitive properties were replaced by their tokens. */
  readonly tokenizedSegments: string[];
  /** Record rules that test sensitive properties: reported, left as they are. */
  readonly unenforceableRules: string[];
}

/**
 * Definitions saved before values of sensitive properties were kept out of them. At start,
 * segments that still quote such values in clear get their blind-index tokens instead (same
 * members; audited as `segment.updated`), and record rules that test sensitive properties —
 * refused since, as they compare encrypted envelopes and mean something other than they say —
 * are logged (ids and property names, never values) for a super admin to replace or delete:
 * dropping or rewriting a rule here would change who may see what without anyone deciding it.
 */
@Injectable()
export class SensitiveDefinitionsSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger(SensitiveDefinitionsSweep.name);

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.logger.error({ err: error }, 'Sweeping definitions for sensitive values failed');
    }
  }

  /** Sweeps every account that has sensitive properties. */
  async sweep(): Promise<SensitiveDefinitionsReport> {
    const report: SensitiveDefinitionsReport = { tokenizedSegments: [], unenforceableRules: [] };
    const sensitive = await this.transactions.manager.find(CustomPropertyDefinition, {
      select: { accountId: true, objectType: true },
      where: { sensitive: true },
    });
    const typesByAccount = new Map<string, Set<string>>();
    for (const { accountId, objectType } of sensitive) {
      typesByAccount.set(accountId, (typesByAccount.get(accountId) ?? new Set()).add(objectType));
    }
    for (const [accountId, objectTypes] of typesByAccount) {
      await this.context.runAs(systemActor(accountId), async () => {
        for (const objectType of objectTypes) {
          const fields = await this.crmAccess.sensitiveFields(
            await this.properties.schema(objectType),
          );
          if (!fields) {
            // Its sensitive properties were deleted since: nothing left to protect.
            continue;
          }
          report.tokenizedSegments.push(
            ...(await this.tokenizeSegments(accountId, objectType, fields)),
          );
          report.unenforceableRules.push(
            ...(await this.reportRules(accountId, objectType, fields)),
          );
        }
      });
    }
    return report;
  }

  private async tokenizeSegments(
    accountId: string,
    objectType: string,
    sensitive: SensitiveFields,
  ): Promise<string[]> {
    const segments = await this.transactions.manager.find(Segment, {
      where: { accountId, objectType },
    });
    const tokenized: string[] = [];
    for (const segment of segments) {
      const quoted = segment.filterGroups
        .flatMap((group) => group.filters)
        .filter((filter) => quotesSensitiveValue(filter, sensitive) && !filter.tokens);
      if (quoted.length === 0) {
        continue;
      }
      try {
        const filterGroups = tokenizeSensitiveFilters(segment.filterGroups, sensitive);
        await this.transactions.run(async (manager) => {
          await manager.update(Segment, { id: segment.id }, { filterGroups });
          await this.audit.record({
            action: 'segment.updated',
            targetType: 'segment',
            targetId: segment.id,
            metadata: {
              reason: 'sensitive_filter_values_tokenized',
              properties: [...new Set(quoted.map((filter) => filter.propertyName))],
            },
          });
        });
        tokenized.push(segment.id);
      } catch (error) {
        // One segment whose old value no longer validates must not keep the others in clear.
        if (!(error instanceof CustosError)) {
          throw error;
        }
        this.logger.error(
          { code: error.code, segmentId: segment.id, accountId },
          'A segment filter on a sensitive property holds a value that is no longer valid: it is left as it was; change or delete the segment',
        );
      }
    }
    return tokenized;
  }

  private async reportRules(
    accountId: string,
    objectType: string,
    sensitive: SensitiveFields,
  ): Promise<string[]> {
    const rules = await this.transactions.manager.find(RecordRule, {
      select: { id: true, condition: true },
      where: { accountId, objectType },
    });
    const unenforceable: string[] = [];
    for (const rule of rules) {
      const tested = [...conditionFields(rule.condition)].filter((field) => sensitive.has(field));
      if (tested.length > 0) {
        this.logger.warn(
          { ruleId: rule.id, accountId, objectType, properties: tested },
          'A record rule tests sensitive properties: it compares encrypted values and cannot be enforced as written. Replace or delete it (PUT/DELETE /api/v1/record-rules/{id}).',
        );
        unenforceable.push(rule.id);
      }
    }
    return unenforceable;
  }
}
