export { dataSourceOptions } from './data-source-options';
