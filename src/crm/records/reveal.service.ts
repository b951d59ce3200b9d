import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { PropertyHistoryService } from '../history';
import type { PropertyValue } from '../kernel';
import { PropertySchemaService } from '../properties';
import { CrmAccessService } from './crm-access.service';
import { RecordQuery } from './record-query';
import type { RevealedValuesDto } from './record.dto';
import { ERASED } from '../sensitive';
import { RecordPresenter, openValue } from './record.presenter';
import { RecordErrors } from './records.errors';

/**
 * Shows the highly sensitive values of one record (masked everywhere else) to someone who may read
 * them, and with `history` their past values too; each reveal is audited as such (property names,
 * never values).
 */
@Injectable()
export class RevealService {
  constructor(
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly presenter: RecordPresenter,
    private readonly history: PropertyHistoryService,
    private readonly audit: AuditService,
  ) {}

  async reveal(
    objectType: string,
    id: string,
    requested?: string[],
    withHistory = false,
  ): Promise<RevealedValuesDto> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    const sensitive = access.sensitive;
    const masked = sensitive ? [...sensitive.names].filter((name) => sensitive.masked(name)) : [];
    const names = requested ?? masked;
    names.forEach((name, index) => {
      if (!masked.includes(name)) {
        throw RecordErrors.notHighlySensitive(schema, `properties[${index}]`, name);
      }
    });
    const record = await this.query.require(schema, access, id, 'read');
    const properties: Record<string, PropertyValue> = {};
    const redacted: string[] = [];
    const erased: string[] = [];
    for (const name of names) {
      const value = access.canView(name) ? openValue(record, name, sensitive!) : undefined;
      if (value === undefined) {
        redacted.push(name);
      } else if (value === ERASED) {
        erased.push(name);
      } else {
        properties[name] = value;
      }
    }
    const readable = names.filter((name) => access.canView(name));
    const history =
      withHistory && readable.length > 0
        ? (await this.history.ofProperties(id, readable)).map((h) =>
            this.presenter.historyEntry(h, sensitive, 'revealing'),
          )
        : [];
    const revealed = [
      ...new Set([
        ...Object.keys(properties),
        ...history
          .filter((h) => (h.oldValue ?? null) !== null || (h.newValue ?? null) !== null)
          .map((h) => h.property),
      ]),
    ].sort();
    if (revealed.length > 0) {
      await this.audit.record({
        action: 'sensitive_data.revealed',
        targetType: schema.objectType.name,
        targetId: id,
        metadata: { properties: revealed, ...(withHistory ? { history: true } : {}) },
      });
    }
    return {
      id,
      properties,
      redacted,
      ...(erased.length > 0 ? { erased } : {}),
      ...(withHistory ? { history } : {}),
    };
  }
}
