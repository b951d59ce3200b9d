import { Module } from '@nestjs/common';
import { CONSENT_CONTACTS } from '@custos/consent';
import { RecordsModule } from '../records';
import { CrmConsentContacts } from './crm-consent-contacts';

/** What the CRM offers `@custos/consent` (CONSENT_CONTACTS): its contacts, under the actor's rules. */
@Module({
  imports: [RecordsModule],
  providers: [CrmConsentContacts, { provide: CONSENT_CONTACTS, useExisting: CrmConsentContacts }],
  exports: [CONSENT_CONTACTS],
})
export class CrmConsentModule {}
