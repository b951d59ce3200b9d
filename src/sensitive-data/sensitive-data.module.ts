import { Module } from '@nestjs/common';
import { SensitiveDataChannelPolicy } from './channel-policy';
import { SensitiveDataMailPolicy } from './mail-content-policy';
import { SensitiveDataIntegration } from './sensitive-data-integration.entity';
import { SensitiveDataIntegrationsController } from './sensitive-data-integrations.controller';
import { SensitiveDataIntegrationsService } from './sensitive-data-integrations.service';
import { EncryptionController } from './encryption.controller';
import { EncryptionService } from './encryption.service';
import { SensitiveDataSetting } from './sensitive-data-setting.entity';
import { SensitiveDataController } from './sensitive-data.controller';
import { SensitiveDataService } from './sensitive-data.service';

export const SENSITIVE_DATA_ENTITIES = [SensitiveDataSetting, SensitiveDataIntegration];

/** The account's sensitive-data setting, the rules that hang on it, and its encryption keys. */
@Module({
  controllers: [SensitiveDataController, SensitiveDataIntegrationsController, EncryptionController],
  providers: [
    SensitiveDataService,
    SensitiveDataIntegrationsService,
    SensitiveDataChannelPolicy,
    SensitiveDataMailPolicy,
    EncryptionService,
  ],
  exports: [SensitiveDataService, SensitiveDataChannelPolicy, SensitiveDataMailPolicy],
})
export class SensitiveDataModule {}
