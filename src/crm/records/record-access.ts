import { subject as asSubject } from '@casl/ability';
import {
  accessibleBy,
  accessScope,
  subjectFields,
  type ActorAccess,
  type RecordAction,
  type SqlCondition,
} from '@custos/access';
import { computedInputs } from '../properties';
import { propertyExpression, type PropertySchema, type SqlDialect } from '../kernel';
import type { StoredRecord } from './record-store';
import type { SensitiveFields } from '../sensitive';
import { RecordErrors } from './records.errors';

/** The rule fields the scope indexes lead with (after the account), with their columns. */
const SCOPE_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['ownerId', 'owner_id'],
  ['businessUnitId', 'business_unit_id'],
]);
const SCOPE_FIELDS = [...SCOPE_COLUMNS.keys()];

/**
 * PostgreSQL: the scope fields, each with the rule fields its index takes as conditions right
 * after it (`accessibleBy`'s `scopeFields`). The owner filter index (owner, then the carried
 * columns) seeks owner and first carried column together — a team reader's `country $in` rule
 * counts 6,600 entries instead of filtering the 17,500 of the scope (docs/query-performance.md);
 * a later carried column, or any column beside a business unit, stays a filter.
 */
function pgScopeFields(schema: PropertySchema): Record<string, readonly string[]> {
  return { ownerId: schema.objectType.scopeCarried.slice(0, 1), businessUnitId: [] };
}

/** The owners and business units whose records one may read; neither: the whole account. */
export interface ReadScope {
  owners?: string[];
  businessUnits?: string[];
}

/** The CASL subject fields of a record: its properties plus the owner and business unit. */
export function recordSubjectFields(record: StoredRecord): Record<string, unknown> {
  return {
    ...record.values,
    owner_id: record.ownerId,
    ownerId: record.ownerId,
    businessUnitId: record.businessUnitId,
  };
}

/**
 * What the acting person may do with the records of one object type: the SQL conditions of
 * record rules, checks of single records, and field-level view/edit rights.
 */
export class RecordAccess {
  private parameterCounter = 0;
  /** {@link canView} per property: presenters ask for every property of every record. */
  private readonly viewable = new Map<string, boolean>();
  /** {@link readScope}, once worked out (`null`: not yet): a search asks for each of its queries. */
  private readScopeOf: ReadScope | undefined | null = null;

  constructor(
    readonly access: ActorAccess,
    readonly schema: PropertySchema,
    private readonly dialect: SqlDialect,
    /** The schema's sensitive properties as this actor sees them; `null` when there are none. */
    readonly sensitive: SensitiveFields | null = null,
  ) {}

  get superAdmin(): boolean {
    return this.access.superAdmin;
  }

  /**
   * The records the actor may read as owners and business units, when the read rules are nothing
   * else (`{}`: the whole account): what a maintained count per owner and unit can sum exactly.
   * `undefined` when the rules test anything more; then only a `COUNT(*)` of the SQL can tell.
   */
  readScope(): ReadScope | undefined {
    if (this.readScopeOf === null) {
      const scope = accessScope(
        this.access.ability,
        'read',
        this.schema.objectType.name,
        SCOPE_FIELDS,
      );
      this.readScopeOf = !scope
        ? undefined
        : scope.all
          ? {}
          : {
              owners: scope.values.ownerId ?? [],
              businessUnits: scope.values.businessUnitId ?? [],
            };
    }
    return this.readScopeOf;
  }

  /**
   * The records the actor may `action`, as a SQL condition on alias `alias` (never load-then-filter).
   * `scopeIndexes: false` keeps SQLite from driving the query by the owner and business-unit
   * indexes (a unary `+` on those columns; same result): for a sorted page over a wide scope,
   * walking the sort's index and testing the scope per row beats collecting and sorting the whole
   * scope, which SQLite's planner would otherwise choose (see docs/query-performance.md).
   */
  where(action: RecordAction, alias = 'r', { scopeIndexes = true } = {}): SqlCondition {
    // The columns hold ids compared with ids: `+` (no affinity) cannot change a comparison.
    const scope = scopeIndexes || this.dialect.postgres ? '' : '+';
    return accessibleBy(this.access.ability, action, this.schema.objectType.name, {
      columnOf: (field) => {
        const scopeColumn = SCOPE_COLUMNS.get(field);
        if (scopeColumn) {
          return `${scope}${alias}.${scopeColumn}`;
        }
        return this.schema.byName.has(field)
          ? propertyExpression(this.schema, this.dialect, field, alias)
          : undefined;
      },
      storedIn: (field) => SCOPE_COLUMNS.get(field) ?? this.schema.columns.get(field),
      postgres: this.dialect.postgres,
      parameterPrefix: `acc${this.parameterCounter++}_`,
      scopeFields: this.dialect.postgres ? pgScopeFields(this.schema) : undefined,
    });
  }

  /** Whether the actor may `action` this record (its values as they are now). */
  can(action: RecordAction, record: StoredRecord): boolean {
    return this.access.ability.can(
      action,
      asSubject(this.schema.objectType.name, subjectFields(recordSubjectFields(record))),
    );
  }

  /**
   * Field permissions, and for sensitive properties also who may see them in clear. A computed
   * property is readable only when every input it derives from (through other computed
   * properties too) is: its value would otherwise reveal them.
   */
  canView(property: string): boolean {
    let readable = this.viewable.get(property);
    if (readable === undefined) {
      readable = this.canViewDerived(property, new Set());
      this.viewable.set(property, readable);
    }
    return readable;
  }

  /** `visiting`: the computed properties on the current path, so that cyclic scores end. */
  private canViewDerived(property: string, visiting: Set<string>): boolean {
    if (
      !this.access.fields(this.schema.objectType.name).canView(property) ||
      (this.sensitive?.has(property) && !this.sensitive.mayDecrypt(property))
    ) {
      return false;
    }
    const definition = this.schema.byName.get(property);
    if (!definition) {
      return true;
    }
    visiting.add(property);
    const readable = computedInputs(definition).every(
      (input) => visiting.has(input) || this.canViewDerived(input, visiting),
    );
    visiting.delete(property);
    return readable;
  }

  canEdit(property: string): boolean {
    return (
      this.access.fields(this.schema.objectType.name).canEdit(property) &&
      (!this.sensitive?.has(property) || this.sensitive.mayDecrypt(property))
    );
  }

  /** A write that touches a property the actor may not edit is refused with 403 naming it. */
  assertEditable(names: readonly string[]): void {
    for (const name of names) {
      if (!this.canEdit(name)) {
        throw RecordErrors.fieldNotEditable(name);
      }
    }
  }

  /** Every filter of OR-ed filter groups must be on a readable property (see {@link assertReadable}). */
  assertFiltersReadable(
    groups: readonly { filters: readonly { propertyName: string }[] }[],
    fieldPrefix = 'filterGroups',
  ): void {
    groups.forEach((group, g) =>
      group.filters.forEach((filter, f) =>
        this.assertReadable(filter.propertyName, `${fieldPrefix}[${g}].filters[${f}].propertyName`),
      ),
    );
  }

  /** Filtering, sorting or grouping by a property the actor may not read is refused (no oracle). */
  assertReadable(property: string, field: string): void {
    if (!this.canView(property)) {
      throw RecordErrors.fieldNotReadable(property, field);
    }
  }
}
