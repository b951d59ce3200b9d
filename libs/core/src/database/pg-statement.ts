/**
 * The hot path's own `pg` query object (a `Submittable`, as pg-cursor is one): it writes Parse
 * (once per connection for a named statement), Bind, Execute and Sync, and builds plain rows.
 * `pg`'s own query object asks the server to describe the result on every run (a Describe
 * message, a RowDescription back, a null-prototype row and type parsers built from it), copies
 * its config with property descriptors and keeps a result object per run: for the one-row
 * statements of a request, a good part of their client-side cost. A named statement's columns are
 * asked for once per connection: PostgreSQL never changes the row type of a prepared statement
 * (it refuses to run it instead, "cached plan must not change result type"). An unnamed one is
 * parsed anew each run, so a migration may have changed its columns: described every time.
 */

/** `pg`'s connection, as far as a query object writes to it. */
export interface PgConnection {
  parsedStatements: Record<string, string | undefined>;
  submittedNamedStatements: Record<string, string | undefined>;
  stream: { cork?(): void; uncork?(): void };
  parse(message: { text: string; name?: string }): void;
  bind(message: {
    statement?: string;
    values: unknown[];
    valueMapper: (value: unknown, index: number) => unknown;
  }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** What `pg` exports that the query object uses: parameter conversion and the type parsers. */
export interface PgLibrary {
  utils: { prepareValue(value: unknown): unknown };
  types: { getTypeParser(oid: number, format: 'text'): (text: string) => unknown };
}

interface PgField {
  name: string;
  dataTypeID: number;
}

/** The columns of a statement's rows: names and text parsers, in order. */
interface RowShape {
  names: string[];
  parsers: ((text: string) => unknown)[];
}

/** A statement text, its name if prepared, and its columns on each connection that ran it. */
export class PgStatement {
  readonly shapes = new WeakMap<PgConnection, RowShape>();

  constructor(
    readonly text: string,
    readonly name: string | undefined,
    private readonly pg: PgLibrary,
  ) {}

  /** The columns of a RowDescription. */
  shapeOf(fields: readonly PgField[]): RowShape {
    return {
      names: fields.map((f) => f.name),
      parsers: fields.map((f) => this.pg.types.getTypeParser(f.dataTypeID, 'text')),
    };
  }

  /** `pg`'s conversion of a parameter (dates, buffers, arrays, JSON), as its own queries bind. */
  readonly valueMapper = (value: unknown): unknown => this.pg.utils.prepareValue(value);

  query(values: unknown[]): PgQuery {
    return new PgQuery(this, values);
  }
}

/** No RowDescription comes for a statement without rows (an UPDATE without RETURNING). */
const NO_COLUMNS: RowShape = { names: [], parsers: [] };

/** One run of a {@link PgStatement}; `pg` calls the `handle…` methods as messages arrive. */
export class PgQuery {
  /** Set by `pg` (`client.query(query, undefined, callback)`, or `pool.query`). */
  callback?: (error: Error | null, rows?: Record<string, unknown>[]) => void;
  readonly text: string;
  readonly name: string | undefined;
  private connection: PgConnection | undefined;
  private shape: RowShape | undefined;
  private readonly rows: Record<string, unknown>[] = [];
  /** A value that failed to parse: reported once the server is done with the statement. */
  private failure: Error | undefined;

  constructor(
    private readonly statement: PgStatement,
    private readonly values: unknown[],
  ) {
    this.text = statement.text;
    this.name = statement.name;
  }

  submit(connection: PgConnection): Error | null {
    const { name, text } = this;
    const known =
      name === undefined
        ? undefined
        : (connection.parsedStatements[name] ?? connection.submittedNamedStatements[name]);
    if (known !== undefined && known !== text) {
      return new Error(`Prepared statement "${name}" is already used for another query.`);
    }
    this.connection = connection;
    this.shape = known === undefined ? undefined : this.statement.shapes.get(connection);
    connection.stream.cork?.();
    try {
      if (known === undefined) {
        connection.parse({ text, name });
        if (name !== undefined) {
          connection.submittedNamedStatements[name] = text;
        }
      }
      connection.bind({
        statement: name,
        values: this.values,
        valueMapper: this.statement.valueMapper,
      });
      if (!this.shape) {
        connection.describe({ type: 'P', name: '' });
      }
      connection.execute({ portal: '' });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(message: { fields: PgField[] }): void {
    this.remember(this.statement.shapeOf(message.fields));
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    if (this.failure) {
      return;
    }
    const { names, parsers } = this.shape!;
    const row: Record<string, unknown> = {};
    try {
      for (let i = 0; i < names.length; i++) {
        const text = message.fields[i];
        row[names[i]] = text === null ? null : parsers[i](text);
      }
    } catch (error) {
      this.failure = error as Error;
      return;
    }
    this.rows.push(row);
  }

  handleCommandComplete(): void {
    if (!this.shape) {
      this.remember(NO_COLUMNS);
    }
  }

  private remember(shape: RowShape): void {
    this.shape = shape;
    if (this.name !== undefined) {
      this.statement.shapes.set(this.connection!, shape);
    }
  }

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: PgConnection): void {
    connection.sendCopyFail('COPY is not supported on this path');
  }

  handleCopyData(): void {}

  handleError(error: Error): void {
    this.callback?.(error);
  }

  handleReadyForQuery(): void {
    if (this.failure) {
      this.callback?.(this.failure);
    } else {
      this.callback?.(null, this.rows);
    }
  }
}
