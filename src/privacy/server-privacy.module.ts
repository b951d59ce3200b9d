import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import {
  PERSONAL_DATA_REGISTRY,
  PRIVACY_ASSIGNEES,
  PRIVACY_PROCESSORS,
  PRIVACY_SEALED_VALUE_PROBES,
  PRIVACY_VALUE_READERS,
  PrivilegeHolderAssignees,
  type PersonalDataRegistry,
} from '@custos/privacy';
import { RecordsModule } from '../crm/records';
import { CrmContactValues } from './crm-contact-values';
import { CrmSealedValueProbes } from './crm-sealed-value-probes';
import { CustomPropertyData } from './custom-property-data';
import { PartnerProcessors } from './partner-processors';
import { SERVER_PERSONAL_DATA } from './server-personal-data';

/** Declares the server's personal data (`SERVER_PERSONAL_DATA`, custom properties) at boot. */
@Injectable()
export class ServerPersonalData implements OnModuleInit {
  constructor(
    @Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry,
    private readonly customProperties: CustomPropertyData,
  ) {}

  onModuleInit(): void {
    SERVER_PERSONAL_DATA.forEach((source) => this.registry.register(source));
    this.registry.registerProvider(this.customProperties);
  }
}

/**
 * What the server gives `@custos/privacy`: its personal-data declarations, assignees resolved by
 * identity (members holding `manage_privacy_requests`) and processors (partner firms); for the
 * subject lookup, the blind-index probes of sealed CRM values and contacts' values as the operator
 * may read them.
 */
@Global()
@Module({
  imports: [RecordsModule],
  providers: [
    CrmSealedValueProbes,
    { provide: PRIVACY_SEALED_VALUE_PROBES, useExisting: CrmSealedValueProbes },
    CrmContactValues,
    {
      provide: PRIVACY_VALUE_READERS,
      useFactory: (contacts: CrmContactValues) => [contacts],
      inject: [CrmContactValues],
    },
    ServerPersonalData,
    CustomPropertyData,
    PrivilegeHolderAssignees,
    { provide: PRIVACY_ASSIGNEES, useExisting: PrivilegeHolderAssignees },
    PartnerProcessors,
    { provide: PRIVACY_PROCESSORS, useExisting: PartnerProcessors },
  ],
  exports: [
    PRIVACY_ASSIGNEES,
    PRIVACY_PROCESSORS,
    PRIVACY_SEALED_VALUE_PROBES,
    PRIVACY_VALUE_READERS,
  ],
})
export class ServerPrivacyModule {}
