export { DEFAULT_EXACT_TOTAL_UP_TO, loadServerConfig, type DatabaseConfig } from './server-config';
