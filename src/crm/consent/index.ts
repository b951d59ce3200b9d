export { CrmConsentModule } from './crm-consent.module';
