export { ServerPrivacyModule } from './server-privacy.module';
export { SERVER_PERSONAL_DATA } from './server-personal-data';
