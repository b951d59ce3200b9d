import { Injectable } from '@nestjs/common';
import type { AccessSubjects, FieldType } from '@custos/access';
import { OBJECT_TYPE_NAMES, type PropertyType } from '../kernel';
import { PropertySchemaService } from '../properties';
import { RecordQuery } from './record-query';
import { sensitiveNames } from '../sensitive';
import { recordSubjectFields } from './record-access';

function fieldTypeOf(type: PropertyType): FieldType {
  switch (type) {
    case 'number':
    case 'score':
    case 'calculation':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'string':
    case 'date':
    case 'datetime':
    case 'enumeration':
    case 'file':
      return 'string';
  }
}

/** The CRM's object types as `@custos/access` subjects: their properties are the rule fields. */
@Injectable()
export class CrmAccessSubjects implements AccessSubjects {
  constructor(
    private readonly properties: PropertySchemaService,
    private readonly query: RecordQuery,
  ) {}

  subjectTypes(): readonly string[] {
    return OBJECT_TYPE_NAMES;
  }

  async fields(
    _accountId: string,
    subjectType: string,
  ): Promise<Readonly<Record<string, FieldType>> | null> {
    if (!(OBJECT_TYPE_NAMES as readonly string[]).includes(subjectType)) {
      return null;
    }
    const schema = await this.properties.schema(subjectType);
    return Object.fromEntries(
      [...schema.byName.values()].map((d) => [d.name, fieldTypeOf(d.type)]),
    );
  }

  /** Sensitive properties: their values are stored as envelopes that no condition can compare. */
  async sealedFields(_accountId: string, subjectType: string): Promise<ReadonlySet<string>> {
    if (!(OBJECT_TYPE_NAMES as readonly string[]).includes(subjectType)) {
      return new Set();
    }
    return new Set(sensitiveNames(await this.properties.schema(subjectType)));
  }

  async record(
    accountId: string,
    subjectType: string,
    id: string,
  ): Promise<Record<string, unknown> | null> {
    if (!(OBJECT_TYPE_NAMES as readonly string[]).includes(subjectType)) {
      return null;
    }
    const schema = await this.properties.schema(subjectType);
    const record = await this.query.forRuleCheck(schema, accountId, id);
    return record ? recordSubjectFields(record) : null;
  }
}
