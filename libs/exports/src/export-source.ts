/**
 * The port through which the host hands an export its rows (EXPORT_SOURCES). The lib never reads
 * host tables: the host applies its own rules (for the CRM: the one scoped record query with the
 * `export` action, field permissions and the sensitive-data policy) and yields plain cells.
 */

/** What a requester asks to export; `source` names the host's source (e.g. `records`, `history`). */
export interface ExportTarget {
  source: string;
  /** Source-specific selection (object type, filter groups, segment id, record ids …), validated by the source. */
  selection: Record<string, unknown>;
  /** The properties (columns) asked for, in order. */
  properties: string[];
  /** Highly sensitive properties the requester explicitly asks to export unmasked (audited). */
  reveal?: string[];
}

export type ExportCellType = 'string' | 'number' | 'date' | 'datetime' | 'boolean';

export interface ExportColumn {
  /** Property name (header of the column). */
  name: string;
  type: ExportCellType;
  /** The column carries sensitive values (decrypted for this requester): the file is sealed. */
  sensitive: boolean;
  /**
   * The column holds the id of the record a row carries: the run notes each id with the export
   * (`custos_export_record`), the log of who received which records (GDPR Art. 15(1)(c), 19).
   * At most one column per plan.
   */
  recordId?: boolean;
}

/** One row's cells, in the order of the plan's columns. Dates as `Date`; `null` for empty. */
export type ExportCell = string | number | boolean | Date | null;
export type ExportRow = ExportCell[];

/** What a source will export for the current actor, decided at request time (and again at run time). */
export interface ExportPlan {
  columns: ExportColumn[];
  /** Rows the requester may export now (the count that decides the approval threshold). */
  count: number;
  /** Whether any column holds sensitive data (an export with sensitive data always needs approval). */
  sensitive: boolean;
  /** A short, value-free description for the export log (object type, segment name, filter shape). */
  description: Record<string, unknown>;
}

export interface ExportSource {
  /** The name requests use in `source`. */
  readonly name: string;
  /**
   * Checks the target for the current actor (request context) and plans it. Throws CustosError:
   * unknown object type or segment → not_found; a property the actor may not read → forbidden naming
   * it; empty property list or invalid selection → validation naming the field.
   */
  plan(target: ExportTarget): Promise<ExportPlan>;
  /**
   * The rows for the current actor, with their rights as they are now, in batches (keyset pages;
   * never the whole result in memory). Stops early when `signal` aborts.
   */
  rows(target: ExportTarget, signal: AbortSignal): AsyncIterable<ExportRow[]>;
}

/** Injection token: the host provides an array of {@link ExportSource}. */
export const EXPORT_SOURCES = Symbol('EXPORT_SOURCES');
