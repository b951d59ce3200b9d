import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PERSONAL_DATA_REGISTRY, type PersonalDataRegistry } from './personal-data-registry';
import type { PersonalDataSource } from './personal-data.types';

/**
 * The lib's own personal data: a request names its subject, a restriction and a package their
 * contact, an activity its DPO.
 */
export const PRIVACY_PERSONAL_DATA: PersonalDataSource[] = [
  {
    key: 'privacy.request',
    owner: '@custos/privacy',
    table: 'privacy_request',
    subject: 'requester',
    subjectColumn: 'subject_contact_id',
    description: 'Privacy requests: who asked, and how to reach them',
    fields: [
      { column: 'subject_email', category: 'user.contact.email' },
      { column: 'subject_name', category: 'user.name' },
      { column: 'subject_phone', category: 'user.contact.phone_number', phoneKey: true },
      // Free text in the subject's words: may hold anything about them.
      { column: 'details', category: 'user' },
    ],
  },
  {
    key: 'privacy.restriction',
    owner: '@custos/privacy',
    table: 'privacy_restriction',
    subject: 'contact',
    subjectColumn: 'subject_id',
    description: 'Restrictions of processing (Art. 18): which contact is restricted',
    fields: [],
  },
  {
    key: 'privacy.erasure',
    owner: '@custos/privacy',
    table: 'privacy_erasure',
    subject: 'requester',
    subjectColumn: null,
    description: "Erasures: the subject's emails and phone numbers, kept only while one runs",
    fields: [{ column: 'subject_values', category: 'user.contact' }],
  },
  {
    key: 'privacy.package',
    owner: '@custos/privacy',
    table: 'privacy_package',
    subject: 'contact',
    subjectColumn: 'subject_contact_id',
    description:
      "Access and portability packages: where the subject's data is held, and the sealed copy of it",
    fields: [
      // The places found (sources, row ids, field names): no values, but all about the subject.
      { column: 'items', category: 'user', list: true },
      // The sealed ZIP of the subject's data: the erasure deletes it with the row.
      { column: 'file_key', category: 'user', file: true },
    ],
  },
  {
    key: 'privacy.activity',
    owner: '@custos/privacy',
    table: 'privacy_activity',
    subject: 'user',
    subjectColumn: null,
    description: 'The register of processing activities: the contact details of the DPO',
    fields: [{ column: 'dpo', category: 'user.contact' }],
  },
];

/** Declares {@link PRIVACY_PERSONAL_DATA} at boot. */
@Injectable()
export class PrivacyOwnData implements OnModuleInit {
  constructor(@Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry) {}

  onModuleInit(): void {
    PRIVACY_PERSONAL_DATA.forEach((source) => this.registry.register(source));
  }
}
