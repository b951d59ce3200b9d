import { Module } from '@nestjs/common';
import { SensitiveDataChannelPolicy } from './channel-policy';
import { SensitiveDataIntegration } from './sensitive-data-integration.entity';
import { SensitiveDataIntegrationsController } from './sensitive-data-integrations.controller';
import { SensitiveDataIntegrationsService } from './sensitive-data-integrations.service';
import { SensitiveDataSetting } from './sensitive-data-setting.entity';
import { SensitiveDataController } from './sensitive-data.controller';
import { SensitiveDataService } from './sensitive-data.service';

export const SENSITIVE_DATA_ENTITIES = [SensitiveDataSetting, SensitiveDataIntegration];

/** The account's sensitive-data setting and the rules that hang on it. */
@Module({
  controllers: [SensitiveDataController, SensitiveDataIntegrationsController],
  providers: [SensitiveDataService, SensitiveDataIntegrationsService, SensitiveDataChannelPolicy],
  exports: [SensitiveDataService, SensitiveDataChannelPolicy],
})
export class SensitiveDataModule {}
