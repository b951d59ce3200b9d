import { Param, type PipeTransform } from '@nestjs/common';
import { CustosError } from '@custos/core';
import type { PropertyDefinition, PropertyType } from './property-type';

export const OBJECT_TYPE_NAMES = ['contacts', 'companies', 'deals'] as const;
export type ObjectTypeName = (typeof OBJECT_TYPE_NAMES)[number];

/** A standard property: stored in a column of the object type's table named like the property. */
type StandardProperty = Pick<PropertyDefinition, 'name' | 'label' | 'type'> &
  Partial<Pick<PropertyDefinition, 'unique' | 'options' | 'groupName'>>;

/** An object type: its table and its standard properties (each a real, indexable column). */
export interface ObjectType {
  name: ObjectTypeName;
  table: string;
  /** Singular label, for messages. */
  singular: string;
  standard: readonly StandardProperty[];
  /**
   * The standard columns record rules and filters test most: the scope indexes (owner, business
   * unit) carry them after the scope, so a restricted count testing them reads the index alone.
   */
  scopeCarried: readonly string[];
}

const option = (value: string, label: string) => ({ value, label });

export const OBJECT_TYPES: Readonly<Record<ObjectTypeName, ObjectType>> = {
  contacts: {
    name: 'contacts',
    table: 'crm_contact',
    singular: 'contact',
    scopeCarried: ['country', 'lifecyclestage'],
    standard: [
      { name: 'email', label: 'Email', type: 'string', unique: true },
      { name: 'firstname', label: 'First name', type: 'string' },
      { name: 'lastname', label: 'Last name', type: 'string' },
      { name: 'phone', label: 'Phone number', type: 'string' },
      { name: 'jobtitle', label: 'Job title', type: 'string' },
      { name: 'company', label: 'Company name', type: 'string' },
      { name: 'city', label: 'City', type: 'string' },
      { name: 'country', label: 'Country/Region', type: 'string' },
      {
        name: 'lifecyclestage',
        label: 'Lifecycle stage',
        type: 'enumeration',
        options: [
          option('subscriber', 'Subscriber'),
          option('lead', 'Lead'),
          option('marketingqualifiedlead', 'Marketing qualified lead'),
          option('salesqualifiedlead', 'Sales qualified lead'),
          option('opportunity', 'Opportunity'),
          option('customer', 'Customer'),
          option('evangelist', 'Evangelist'),
          option('other', 'Other'),
        ],
      },
      { name: 'birthdate', label: 'Date of birth', type: 'date' },
    ],
  },
  companies: {
    name: 'companies',
    table: 'crm_company',
    singular: 'company',
    scopeCarried: ['country', 'industry'],
    standard: [
      { name: 'name', label: 'Company name', type: 'string' },
      { name: 'domain', label: 'Company domain name', type: 'string', unique: true },
      { name: 'industry', label: 'Industry', type: 'string' },
      { name: 'phone', label: 'Phone number', type: 'string' },
      { name: 'city', label: 'City', type: 'string' },
      { name: 'country', label: 'Country/Region', type: 'string' },
      { name: 'numberofemployees', label: 'Number of employees', type: 'number' },
      { name: 'annualrevenue', label: 'Annual revenue', type: 'number' },
    ],
  },
  deals: {
    name: 'deals',
    table: 'crm_deal',
    singular: 'deal',
    scopeCarried: ['dealstage', 'pipeline'],
    standard: [
      { name: 'dealname', label: 'Deal name', type: 'string' },
      { name: 'amount', label: 'Amount', type: 'number' },
      {
        name: 'dealstage',
        label: 'Deal stage',
        type: 'enumeration',
        options: [
          option('appointmentscheduled', 'Appointment scheduled'),
          option('qualifiedtobuy', 'Qualified to buy'),
          option('presentationscheduled', 'Presentation scheduled'),
          option('decisionmakerboughtin', 'Decision maker bought-in'),
          option('contractsent', 'Contract sent'),
          option('closedwon', 'Closed won'),
          option('closedlost', 'Closed lost'),
        ],
      },
      { name: 'pipeline', label: 'Pipeline', type: 'string' },
      { name: 'closedate', label: 'Close date', type: 'date' },
      { name: 'probability', label: 'Probability (%)', type: 'number' },
    ],
  },
};

/**
 * Properties every object type has, stored in the common columns of its table. `owner_id` is
 * writable (a user of the account); the two dates are maintained by the system.
 */
export const SYSTEM_PROPERTIES: readonly (StandardProperty & {
  column: string;
  readOnly: boolean;
})[] = [
  { name: 'owner_id', label: 'Owner', type: 'string', column: 'owner_id', readOnly: false },
  {
    name: 'createdate',
    label: 'Create date',
    type: 'datetime',
    column: 'created_at',
    readOnly: true,
  },
  {
    name: 'lastmodifieddate',
    label: 'Last modified date',
    type: 'datetime',
    column: 'updated_at',
    readOnly: true,
  },
];

export function objectTypeOf(name: string): ObjectType {
  if ((OBJECT_TYPE_NAMES as readonly string[]).includes(name)) {
    return OBJECT_TYPES[name as ObjectTypeName];
  }
  throw new CustosError(
    'not_found',
    'crm.unknown_object_type',
    `There is no object type "${name}". Use one of: ${OBJECT_TYPE_NAMES.join(', ')}.`,
  );
}

/** The SQL column type of a standard property of this value type. */
export function columnTypeOf(type: PropertyType): 'double precision' | 'boolean' | 'varchar' {
  switch (type) {
    case 'number':
    case 'score':
    case 'calculation':
      return 'double precision';
    case 'bool':
      return 'boolean';
    case 'string':
    case 'date':
    case 'datetime':
    case 'enumeration':
    case 'file':
      return 'varchar';
  }
}

const OBJECT_TYPE_PATTERN = /^[a-z][a-z_]{0,31}$/;

class ParseObjectTypePipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (typeof value !== 'string' || !OBJECT_TYPE_PATTERN.test(value)) {
      throw CustosError.invalidField(
        'crm.invalid_object_type',
        this.name,
        'must be the name of an object type, such as contacts',
      );
    }
    return value;
  }
}

/**
 * A path parameter naming an object type: a malformed name is a 422 naming the parameter, a
 * well-formed unknown one a 404 (from {@link objectTypeOf}), as with ids.
 */
export function ObjectTypeParam(name: string): ParameterDecorator {
  return Param(name, new ParseObjectTypePipe(name));
}
