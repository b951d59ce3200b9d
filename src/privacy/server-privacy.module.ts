import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import {
  PERSONAL_DATA_REGISTRY,
  PRIVACY_ASSIGNEES,
  PRIVACY_PROCESSORS,
  PrivilegeHolderAssignees,
  type PersonalDataRegistry,
} from '@custos/privacy';
import { PartnerProcessors } from './partner-processors';
import { SERVER_PERSONAL_DATA } from './server-personal-data';

/** Declares the server's personal data (see `SERVER_PERSONAL_DATA`) at boot. */
@Injectable()
export class ServerPersonalData implements OnModuleInit {
  constructor(@Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry) {}

  onModuleInit(): void {
    SERVER_PERSONAL_DATA.forEach((source) => this.registry.register(source));
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
    PrivilegeHolderAssignees,
    { provide: PRIVACY_ASSIGNEES, useExisting: PrivilegeHolderAssignees },
    PartnerProcessors,
    { provide: PRIVACY_PROCESSORS, useExisting: PartnerProcessors },
  ],
  exports: [PRIVACY_ASSIGNEES, PRIVACY_PROCESSORS],
})
export class ServerPrivacyModule {}
