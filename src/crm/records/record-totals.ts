import { Global, Inject, Injectable, Module, Optional, type DynamicModule } from '@nestjs/common';
import { RecordQuery, type ScopedRecords } from './record-query';
import { DEFAULT_EXACT_TOTAL_UP_TO } from '../../config';

/** How a list or search answers its total: counted, estimated above a size, or not at all. */
export const TOTAL_MODES = ['exact', 'estimate', 'none'] as const;
export type TotalMode = (typeof TOTAL_MODES)[number];

/**
 * A total as a response carries it. `estimated` is set whenever `total` is not an exact count;
 * `lowerBound` with it: the number known to match, the count having stopped there. No total at
 * all only when the request asked for none.
 */
export interface RecordTotal {
  total?: number;
  estimated?: boolean;
  lowerBound?: boolean;
}

export interface RecordTotalsOptions {
  /** Up to this many matches a total is always counted exactly, whatever the request asks. */
  exactUpTo: number;
}

const RECORD_TOTALS_OPTIONS = Symbol('RECORD_TOTALS_OPTIONS');

/**
 * Totals of the scoped record query (the caller passes the very query of its page, with its
 * rules and filters: a total never counts what the page would not show). The exact count reads
 * the live-row indexes (`COUNT(*)` over the partial index, no table rows when the filter is on
 * indexed columns). Asked for an estimate, the count stops one past the threshold and answers
 * that as a lower bound, on both databases. Not PostgreSQL's planner estimate: it comes from
 * table-wide statistics, so it would answer with rows of other accounts and outside the reader's
 * rules (a reader who sees none could be told of thousands).
 */
@Injectable()
export class RecordTotals {
  readonly exactUpTo: number;

  constructor(
    private readonly query: RecordQuery,
    @Optional() @Inject(RECORD_TOTALS_OPTIONS) options?: RecordTotalsOptions,
  ) {
    this.exactUpTo = options?.exactUpTo ?? DEFAULT_EXACT_TOTAL_UP_TO;
  }

  /** `scope`: the scoped query of the page, with its filters. */
  async total(scope: ScopedRecords, mode: TotalMode): Promise<RecordTotal> {
    if (mode === 'none') {
      return {};
    }
    if (mode === 'exact') {
      return { total: await this.query.count(scope) };
    }
    const counted = await this.query.count(scope, this.exactUpTo + 1);
    return counted > this.exactUpTo
      ? { total: counted, estimated: true, lowerBound: true }
      : { total: counted };
  }
}

/** The threshold of {@link RecordTotals}, for the whole application (`CUSTOS_EXACT_TOTAL_UP_TO`). */
@Global()
@Module({})
export class RecordTotalsModule {
  static forRoot(options: RecordTotalsOptions): DynamicModule {
    return {
      module: RecordTotalsModule,
      providers: [{ provide: RECORD_TOTALS_OPTIONS, useValue: options }],
      exports: [RECORD_TOTALS_OPTIONS],
    };
  }
}
