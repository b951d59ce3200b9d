export { CrmConsentModule } from './crm-consent.module';
export { CrmMarketingAudience, type AudiencePage } from './crm-marketing-audience';
