import { PrivacyErasure } from './erasure/privacy-erasure.entity';
import { PrivacyLogEntry } from './erasure/privacy-log-entry.entity';
import { PrivacyRetentionDone, PrivacyRetentionPolicy } from './retention/retention-policy.entity';
import { ProcessingActivity } from './register/processing-activity.entity';
import { PrivacyVerification } from './intake/privacy-verification.entity';
import { PrivacyPackage } from './packages/privacy-package.entity';
import { PrivacyRequest } from './requests/privacy-request.entity';
import { PrivacyRestriction } from './restrictions/privacy-restriction.entity';
import { PrivacySettings } from './settings/privacy-settings.entity';

/** Every entity of `@custos/privacy`, for the host's DataSource and migrations. */
export const PRIVACY_ENTITIES = [
  PrivacyRequest,
  ProcessingActivity,
  PrivacyRestriction,
  PrivacyVerification,
  PrivacyErasure,
  PrivacyLogEntry,
  PrivacyRetentionPolicy,
  PrivacyRetentionDone,
  PrivacyPackage,
  PrivacySettings,
];
