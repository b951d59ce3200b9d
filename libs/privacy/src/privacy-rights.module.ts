import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PublicPrivacyIntake } from './intake/public-intake';
import { PrivacyVerification } from './intake/privacy-verification.entity';
import { Objections } from './objections/objections';
import { DeadlineNotices } from './requests/deadline-notices';
import { PrivacyHostContacts } from './restrictions/host-contacts';
import { PrivacyRestriction } from './restrictions/privacy-restriction.entity';
import { Restrictions } from './restrictions/restrictions';

/**
 * What acts on the subject's behalf beyond recording requests: restriction (Art. 18), objection
 * to direct marketing (Art. 21), the subject's own intake verified by a mailed code, and the
 * deadline notices. Needs `PrivacyModule`, `ConsentModule` (the blacklist and the host's
 * `CONSENT_CONTACTS`), `MailModule` (the outbox), identity (accounts, privilege holders) and the
 * host applying restrictions (`unrestrictedCondition`, `restrictedSubjectIds`). Routes:
 * {@link PrivacyRightsHttpModule}.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([PrivacyRestriction, PrivacyVerification])],
  providers: [PrivacyHostContacts, Restrictions, Objections, PublicPrivacyIntake, DeadlineNotices],
  exports: [Restrictions, Objections, PublicPrivacyIntake, DeadlineNotices],
})
export class PrivacyRightsModule {}
