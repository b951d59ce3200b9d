import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import './privacy.privileges';
import { PRIVACY_ENTITIES } from './privacy.entities';
import { PRIVACY_MODULE_OPTIONS, PrivacyConfigurableModule } from './privacy.module-definition';
import {
  InMemoryPersonalDataRegistry,
  PERSONAL_DATA_REGISTRY,
} from './registry/personal-data-registry';
import { PrivacyOwnData } from './registry/privacy-own-data';
import { ProcessingRegister } from './register/processing-register';
import { PrivacyRequests } from './requests/privacy-requests';
import { SubjectLookup } from './lookup/subject-lookup';
import { PrivacySettingsService } from './settings/privacy-settings';

/**
 * Data subjects' rights (GDPR Art. 12–22): the personal-data registry every lib and the host
 * declare their tables in (`PERSONAL_DATA_REGISTRY`), privacy requests with their clock, and the register of processing activities (Art. 30).
 * Needs `CoreModule`, `AuditModule`, the entities in the DataSource and the host's
 * `PRIVACY_ASSIGNEES` (with identity: `PrivilegeHolderAssignees`); a host with sealed values
 * provides `PRIVACY_SEALED_VALUE_PROBES`, and may provide `PRIVACY_VALUE_READERS`. Mounts
 * no routes: import {@link PrivacyHttpModule}.
 */
@Module({
  imports: [TypeOrmModule.forFeature(PRIVACY_ENTITIES)],
  providers: [
    { provide: PERSONAL_DATA_REGISTRY, useFactory: () => new InMemoryPersonalDataRegistry() },
    PrivacyOwnData,
    PrivacyRequests,
    PrivacySettingsService,
    ProcessingRegister,
    SubjectLookup,
  ],
  exports: [
    PERSONAL_DATA_REGISTRY,
    PrivacyRequests,
    PrivacySettingsService,
    ProcessingRegister,
    SubjectLookup,
    PRIVACY_MODULE_OPTIONS,
  ],
})
export class PrivacyModule extends PrivacyConfigurableModule {}
