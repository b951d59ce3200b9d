import type { PersonalDataSource } from '../registry/personal-data.types';
import { probesSealed, valueProbes } from './lookup-sql';
import { IDENTIFIER_KINDS, type IdentifierKind } from './subject-identifiers';

/** How the lookup reaches a source's rows. */
export interface SourceReach {
  source: string;
  /** By the subject's contact or user ids in its subject column. */
  bySubjectColumn: boolean;
  /** The identifier kinds probed in its own columns. */
  byValue: IdentifierKind[];
  /** The identifier kinds probed through the blind index of its sealed fields. */
  bySealedValue: IdentifierKind[];
}

/** How the lookup reaches each source (a source reached no way is never found). */
export function lookupReach(sources: PersonalDataSource[]): SourceReach[] {
  const sample = (kind: IdentifierKind) => ({ kind, values: ['Ada Lovelace'] });
  return sources.map((source) => ({
    source: source.key,
    bySubjectColumn: source.subjectColumn !== null,
    byValue: IDENTIFIER_KINDS.filter((kind) => valueProbes(source, sample(kind)).length > 0),
    bySealedValue: IDENTIFIER_KINDS.filter((kind) =>
      source.fields.some((field) => probesSealed(field, kind)),
    ),
  }));
}
