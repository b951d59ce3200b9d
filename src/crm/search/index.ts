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
export { FilterDto, FilterGroupDto, SearchDto, SearchResultDto } from './search.dto';
export { SearchModule } from './search.module';
export { matchesSensitiveFilters, SearchService, type SearchPage } from './search.service';
