import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import {
  PERSONAL_DATA_REGISTRY,
  PRIVACY_ASSIGNEES,
  PRIVACY_PROCESSORS,
  PrivilegeHolderAssignees,
  type PersonalDataRegistry,
} from '@custos/privacy';
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
 * identity (members holding `manage_privacy_requests`) and processors (partner firms).
 */
@Global()
@Module({
  providers: [
    ServerPersonalData,
    CustomPropertyData,
    PrivilegeHolderAssignees,
    { provide: PRIVACY_ASSIGNEES, useExisting: PrivilegeHolderAssignees },
    PartnerProcessors,
    { provide: PRIVACY_PROCESSORS, useExisting: PartnerProcessors },
  ],
  exports: [PRIVACY_ASSIGNEES, PRIVACY_PROCESSORS],
})
export class ServerPrivacyModule {}
