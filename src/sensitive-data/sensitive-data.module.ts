import { Module } from '@nestjs/common';
import { SensitiveDataSetting } from './sensitive-data-setting.entity';
import { SensitiveDataController } from './sensitive-data.controller';
import { SensitiveDataService } from './sensitive-data.service';

export const SENSITIVE_DATA_ENTITIES = [SensitiveDataSetting];

/** The account's sensitive-data setting and the rules that hang on it. */
@Module({
  controllers: [SensitiveDataController],
  providers: [SensitiveDataService],
  exports: [SensitiveDataService],
})
export class SensitiveDataModule {}
