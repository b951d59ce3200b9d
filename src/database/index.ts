export { dataSourceOptions, SERVER_ENTITIES } from './data-source-options';
