import { Module } from '@nestjs/common';
import { EncryptionController } from './encryption.controller';
import { EncryptionService } from './encryption.service';
import { SensitiveDataSetting } from './sensitive-data-setting.entity';
import { SensitiveDataController } from './sensitive-data.controller';
import { SensitiveDataService } from './sensitive-data.service';

export const SENSITIVE_DATA_ENTITIES = [SensitiveDataSetting];

/** The account's sensitive-data setting, the rules that hang on it, and its encryption keys. */
@Module({
  controllers: [SensitiveDataController, EncryptionController],
  providers: [SensitiveDataService, EncryptionService],
  exports: [SensitiveDataService],
})
export class SensitiveDataModule {}
