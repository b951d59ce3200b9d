import { CustosError } from '@custos/core';

/** The errors of the CRM's export sources (what an export request selects): stable codes, one wording each. */
export const CrmExportErrors = {
  noProperties: () =>
    CustosError.invalidField(
      'crm.export_no_properties',
      'properties',
      'name at least one property',
    ),
  duplicateProperty: (field: string, name: string) =>
    CustosError.invalidField('crm.export_duplicate_property', field, `"${name}" is named twice`),
  /** A property the requester may not read: the export is refused at request time. */
  propertyNotReadable: (property: string, field: string) =>
    new CustosError('forbidden', 'crm.field_not_readable', `You may not read "${property}".`, {
      errors: [{ field, message: 'you may not read this property' }],
      extensions: { property },
    }),
  revealNotExported: (field: string, name: string) =>
    CustosError.invalidField(
      'crm.export_reveal_not_selected',
      field,
      `"${name}" is not among the exported properties`,
    ),
  filterAndSegment: () =>
    CustosError.invalidField(
      'crm.export_filter_and_segment',
      'selection.segmentId',
      'give filter groups or a segment, not both',
    ),
  segmentOfAnotherType: (objectType: string) =>
    CustosError.invalidField(
      'crm.export_segment_object_type',
      'selection.segmentId',
      `the segment does not hold ${objectType}`,
    ),
};
