export { SENSITIVE_DATA_ENTITIES, SensitiveDataModule } from './sensitive-data.module';
export { SensitiveDataService, type SensitiveDataState } from './sensitive-data.service';
export { SensitiveDataChannelPolicy } from './channel-policy';
