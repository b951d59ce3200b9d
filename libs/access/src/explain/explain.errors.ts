import { CustosError } from '@custos/core';

/** The errors of explain; an unknown property and one the caller may not read answer alike. */
export const ExplainErrors = {
  unknownProperty: (subjectType: string) =>
    CustosError.invalidField(
      'access.unknown_property',
      'property',
      `is not a property of ${subjectType}`,
    ),
  hiddenCondition: (property: string) =>
    new CustosError(
      'forbidden',
      'access.explain_hidden_condition',
      `The answer depends on a record rule over "${property}", which you may not read. Ask someone who may read it, or explain without a record.`,
      {
        errors: [
          { field: 'recordId', message: `depends on "${property}", which you may not read` },
        ],
        extensions: { property },
      },
    ),
} as const;
