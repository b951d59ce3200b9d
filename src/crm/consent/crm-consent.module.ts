import { Module } from '@nestjs/common';
import { CONSENT_CONTACTS } from '@custos/consent';
import { RecordsModule } from '../records';
import { CrmAudienceController } from './crm-audience.controller';
import { CrmConsentContacts } from './crm-consent-contacts';
import { CrmMarketingAudience } from './crm-marketing-audience';

/**
 * What the CRM offers `@custos/consent` (CONSENT_CONTACTS: its contacts, under the actor's rules),
 * and the marketing audience of a purpose in SQL (for mailings and marketing exports).
 */
@Module({
  imports: [RecordsModule],
  controllers: [CrmAudienceController],
  providers: [
    CrmConsentContacts,
    { provide: CONSENT_CONTACTS, useExisting: CrmConsentContacts },
    CrmMarketingAudience,
  ],
  exports: [CONSENT_CONTACTS, CrmMarketingAudience],
})
export class CrmConsentModule {}
