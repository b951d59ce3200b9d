export { loadServerConfig, type DatabaseConfig } from './server-config';
