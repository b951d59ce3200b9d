import { Injectable } from '@nestjs/common';
import type { ExportCell, ExportCellType } from '@custos/exports';
import { SensitiveDataChannelPolicy } from '../../sensitive-data';
import {
  type PropertySchema,
  type PropertyDefinition,
  type PropertyType,
  type PropertyValue,
} from '../kernel';
import { type RecordAccess, RecordErrors } from '../records';
import { CrmExportErrors } from './crm-exports.errors';

/** What a masked cell holds: the value exists, but it is highly sensitive and was not revealed. */
export const MASKED_CELL = '********';

/**
 * How an exported property's values are written: in clear (`plain`), opened from their envelopes
 * (`open`: sensitive, readable by the requester, allowed on the export channel), `masked`
 * (highly sensitive, not asked to reveal) or `revealed` (highly sensitive, asked for; audited).
 */
export type ExportedAs = 'plain' | 'open' | 'masked' | 'revealed';

export interface ExportedProperty {
  definition: PropertyDefinition;
  as: ExportedAs;
}

/** The cell type of a property's values. */
export function cellTypeOf(type: PropertyType): ExportCellType {
  switch (type) {
    case 'number':
    case 'score':
    case 'calculation':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'bool':
      return 'boolean';
    case 'string':
    case 'enumeration':
    case 'file':
      return 'string';
  }
}

/** A stored value as a cell of `type`: numbers, `Date`s and booleans typed, the rest as text. */
export function toCell(type: ExportCellType, value: PropertyValue): ExportCell {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  switch (type) {
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'date':
      return new Date(`${String(value)}T00:00:00.000Z`);
    case 'datetime':
      return new Date(String(value));
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true' || value === 1;
    case 'string':
      return String(value);
  }
}

/**
 * The properties an export names, checked for the requester: each must exist (422 naming it) and
 * be readable by them as every read decides it (`RecordAccess.canView`: field permissions and who
 * may decrypt; 403 naming it), sensitive ones must be allowed on the `export` channel (the
 * sensitive-data channel policy), and `reveal` may name only exported highly sensitive ones.
 */
@Injectable()
export class ExportedProperties {
  constructor(private readonly channels: SensitiveDataChannelPolicy) {}

  async check(
    schema: PropertySchema,
    access: RecordAccess,
    properties: readonly string[],
    reveal: readonly string[],
  ): Promise<ExportedProperty[]> {
    if (properties.length === 0) {
      throw CrmExportErrors.noProperties();
    }
    const seen = new Set<string>();
    const definitions = properties.map((name, index) => {
      const field = `properties[${index}]`;
      const definition = schema.byName.get(name);
      if (!definition) {
        throw RecordErrors.unknownProperty(schema, field, name);
      }
      if (seen.has(name)) {
        throw CrmExportErrors.duplicateProperty(field, name);
      }
      seen.add(name);
      if (!access.canView(name)) {
        throw CrmExportErrors.propertyNotReadable(name, field);
      }
      return definition;
    });
    const sensitive = access.sensitive;
    reveal.forEach((name, index) => {
      if (!seen.has(name)) {
        throw CrmExportErrors.revealNotExported(`reveal[${index}]`, name);
      }
      if (!sensitive?.has(name) || !sensitive.masked(name)) {
        throw RecordErrors.notHighlySensitive(schema, `reveal[${index}]`, name);
      }
    });
    await this.channels.assertAllowed('export', schema, properties);
    // Revealing needs what reading needs (RevealService): the requester may read it, checked above.
    return definitions.map((definition) => ({
      definition,
      as: !sensitive?.has(definition.name)
        ? 'plain'
        : !sensitive.masked(definition.name)
          ? 'open'
          : reveal.includes(definition.name)
            ? 'revealed'
            : 'masked',
    }));
  }
}

/** Whether the property's values reach the file in clear although they are sensitive. */
export function carriesSensitive(property: ExportedProperty): boolean {
  return property.as === 'open' || property.as === 'revealed';
}
