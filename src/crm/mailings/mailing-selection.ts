import { Injectable } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ConsentGate, type AudienceCondition } from '@custos/consent';
import { CustosError, RequestContext, TransactionHost } from '@custos/core';
import { SensitiveDataChannelPolicy } from '../../sensitive-data';
import {
  dialectOf,
  type PropertyDefinition,
  type PropertySchema,
  type SqlDialect,
} from '../kernel';
import { PropertySchemaService } from '../properties';
import { CrmAccessService, RecordQuery, type RecordAccess } from '../records';
import { compileFilterGroups, tokenizeSensitiveFilters, type StoredFilterGroup } from '../search';
import { SegmentService } from '../segments';
import { assertKnownTokens, tokensOf, type MailingTemplates } from './mailing-templates';
import { MailingErrors } from './mailings.errors';

/** What a mailing selects and renders, as the API or the stored mailing names it. */
export interface MailingSpec extends MailingTemplates {
  purposeId: string;
  segmentId?: string | null;
  filterGroups?: readonly StoredFilterGroup[];
}

/** A mailing checked for the current actor: its contacts in SQL and the properties it carries. */
export interface PreparedSelection {
  schema: PropertySchema;
  dialect: SqlDialect;
  access: RecordAccess;
  filterGroups: StoredFilterGroup[];
  /** The properties its templates name (ordinary, readable by the actor). */
  carries: PropertyDefinition[];
  /** The consent condition of the marketing audience (purpose, e-mail, now). */
  audience: AudienceCondition;
  /** The contacts the actor may read that the segment or filter selects (alias `r`). */
  query: () => SelectQueryBuilder<ObjectLiteral>;
}

/**
 * The one check of a mailing for the actor, when it is created, sent and walked by its job
 * (rights as they are then): the selection (a visible segment of contacts, or filters on
 * readable properties), the purpose (offered on e-mail), and each template token — a property
 * of contacts (422), not sensitive (the sensitive-data channel policy on `template`, 422 naming
 * the token) and readable by the actor (403 naming it: nobody mails what they may not read).
 */
@Injectable()
export class MailingSelection {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly schemas: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly records: RecordQuery,
    private readonly segments: SegmentService,
    private readonly channels: SensitiveDataChannelPolicy,
    private readonly gate: ConsentGate,
  ) {}

  async prepare(spec: MailingSpec): Promise<PreparedSelection> {
    if (spec.segmentId && spec.filterGroups && spec.filterGroups.length > 0) {
      throw MailingErrors.segmentAndFilter();
    }
    const schema = await this.schemas.schema('contacts');
    const access = await this.crmAccess.forSchema(schema);
    const carries = await this.checkTokens(schema, access, spec);
    let filterGroups: StoredFilterGroup[] = [...(spec.filterGroups ?? [])];
    let field = 'filterGroups';
    if (spec.segmentId) {
      const segment = await this.segments.visibleSegment(spec.segmentId);
      if (segment.objectType !== schema.objectType.name) {
        throw MailingErrors.segmentOfAnotherType();
      }
      filterGroups = segment.filterGroups;
      field = 'segmentId';
    }
    // No oracles: a selection on a property one may not read is refused, as the search refuses it.
    access.assertFiltersReadable(filterGroups, field);
    const dialect = dialectOf(this.transactions.manager.connection.options.type);
    const condition = compileFilterGroups(
      schema,
      dialect,
      filterGroups,
      'mf',
      field,
      access.sensitive,
    );
    const audience = await this.gate.audience(
      this.context.requireAccountId(),
      spec.purposeId,
      'email',
      {
        table: schema.objectType.table,
        alias: 'r',
        id: 'id',
        accountId: 'account_id',
        address: 'email',
      },
    );
    return {
      schema,
      dialect,
      access,
      filterGroups: spec.segmentId
        ? filterGroups
        : tokenizeSensitiveFilters(filterGroups, access.sensitive),
      carries,
      audience,
      // Restricted subjects (GDPR Art. 18) are never marketed to.
      query: () => {
        const builder = this.records.scoped(schema, access, { forMarketing: true });
        return condition ? builder.andWhere(condition.sql, condition.parameters) : builder;
      },
    };
  }

  /**
   * The contacts the actor may read (alias `r`), whatever the mailing's selection, purpose or
   * tokens are now: who may be shown in its recipient list (a failed mailing's too).
   */
  async readableContacts(): Promise<SelectQueryBuilder<ObjectLiteral>> {
    const schema = await this.schemas.schema('contacts');
    return this.records.scoped(schema, await this.crmAccess.forSchema(schema));
  }

  private async checkTokens(
    schema: PropertySchema,
    access: RecordAccess,
    templates: MailingTemplates,
  ): Promise<PropertyDefinition[]> {
    const tokens = tokensOf(templates);
    assertKnownTokens(schema, tokens);
    for (const token of tokens) {
      try {
        await this.channels.assertAllowed('template', schema, [token.name]);
      } catch (error) {
        if (error instanceof CustosError && error.code === 'sensitive_data.channel_forbidden') {
          throw MailingErrors.sensitiveToken(token.field, token.name);
        }
        throw error;
      }
      if (!access.canView(token.name)) {
        throw MailingErrors.unreadableToken(token.field, token.name);
      }
    }
    return [...new Set(tokens.map((token) => token.name))].map((name) => schema.byName.get(name)!);
  }
}
