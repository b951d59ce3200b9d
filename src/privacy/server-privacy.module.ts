import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import {
  PERSONAL_DATA_REGISTRY,
  PRIVACY_ASSIGNEES,
  PrivilegeHolderAssignees,
  type PersonalDataRegistry,
} from '@custos/privacy';
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
 * What the server gives `@custos/privacy`: its personal-data declarations, and assignees
 * resolved by identity (members holding `manage_privacy_requests`).
 */
@Global()
@Module({
  providers: [
    ServerPersonalData,
    PrivilegeHolderAssignees,
    { provide: PRIVACY_ASSIGNEES, useExisting: PrivilegeHolderAssignees },
  ],
  exports: [PRIVACY_ASSIGNEES],
})
export class ServerPrivacyModule {}
