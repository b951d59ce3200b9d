import { Injectable } from '@nestjs/common';
import type { PersonalDataField, PersonalDataSource } from '../registry/personal-data.types';
import type { ErasureBlocker, SourceEraser } from './erasure.ports';

/** Categories whose plain column, holding the subject's value, finds the subject's rows by value. */
const VALUE_CATEGORIES = ['user.contact.email', 'user.contact.phone_number'];

/** How the engine erases one registered source of contact data. */
export type ErasureStep =
  | { source: PersonalDataSource; how: 'eraser'; eraser: SourceEraser }
  | { source: PersonalDataSource; how: 'rows_of_contact'; files: PersonalDataField[] }
  | { source: PersonalDataSource; how: 'rows_by_value'; columns: PersonalDataField[] };

/** The erasure of every source, and the sources no rule reaches (a boot-time mistake). */
export interface ErasurePlan {
  steps: ErasureStep[];
  /** The erasers of the sources of users' data, for a user subject (or why a source keeps it). */
  userSteps: { source: PersonalDataSource; eraser: SourceEraser }[];
  unreached: string[];
}

const isValueColumn = (field: PersonalDataField) =>
  VALUE_CATEGORIES.includes(field.category) && !field.jsonKey && !field.sealed && !field.file;

/**
 * What the host and the libs register about erasure: the blockers that keep a contact (then
 * anonymised) and the erasers of sources the generic rules do not fit. Register in
 * `onModuleInit`, like the personal-data sources.
 */
@Injectable()
export class ErasureRules {
  private readonly blockerList: ErasureBlocker[] = [];
  private readonly erasers = new Map<string, SourceEraser>();

  addBlocker(blocker: ErasureBlocker): void {
    if (this.blockerList.some((known) => known.key === blocker.key)) {
      throw new Error(`Erasure blocker ${blocker.key} is registered twice`);
    }
    this.blockerList.push(blocker);
  }

  addEraser(eraser: SourceEraser): void {
    if (this.erasers.has(eraser.source)) {
      throw new Error(`An eraser of ${eraser.source} is registered twice`);
    }
    this.erasers.set(eraser.source, eraser);
  }

  blockers(): readonly ErasureBlocker[] {
    return this.blockerList;
  }

  /**
   * The plan for the registered sources of contact data: a registered eraser; else the rows of a
   * subject column (other than the record's own id) are deleted, with the files they name; else
   * the rows whose email or phone column holds one of the subject's values are deleted. Sources
   * of users' data each need an eraser with `eraseUser`, or one that `keeps` with a reason. A source no rule reaches is listed in
   * `unreached`.
   */
  planFor(sources: readonly PersonalDataSource[]): ErasurePlan {
    const steps: ErasureStep[] = [];
    const userSteps: ErasurePlan['userSteps'] = [];
    const unreached: string[] = [];
    // Users' data is never deleted by a generic rule (the audit log, imports and exports name
    // their actor): each source has its eraser, which replaces what names the user.
    for (const source of sources.filter((s) => s.subject === 'user')) {
      const eraser = this.erasers.get(source.key);
      if (eraser?.eraseUser || eraser?.keeps) {
        userSteps.push({ source, eraser });
      } else {
        unreached.push(source.key);
      }
    }
    for (const source of sources.filter((s) => s.subject === 'contact')) {
      const eraser = this.erasers.get(source.key);
      const valueColumns = source.fields.filter(isValueColumn);
      if (eraser) {
        steps.push({ source, how: 'eraser', eraser });
      } else if (source.subjectColumn !== null && source.subjectColumn !== 'id') {
        steps.push({ source, how: 'rows_of_contact', files: source.fields.filter((f) => f.file) });
      } else if (source.subjectColumn === null && valueColumns.length > 0) {
        steps.push({ source, how: 'rows_by_value', columns: valueColumns });
      } else {
        unreached.push(source.key);
      }
    }
    return { steps, userSteps, unreached };
  }
}
