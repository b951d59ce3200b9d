/**
 * Search of records and the filter SQL that segments reuse.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export {
  compileFilterGroups,
  quotesSensitiveValue,
  tokenizeSensitiveFilters,
  type StoredFilterGroup,
} from './filter-sql';
export { FilterDto, FilterGroupDto, SearchResultDto } from './search.dto';
export { SearchModule } from './search.module';
export { SearchService, type SearchPage } from './search.service';
