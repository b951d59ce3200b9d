import { Logger } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type {
  EntityManager,
  EntityMetadata,
  EntitySubscriberInterface,
  InsertEvent,
  LoadEvent,
  UpdateEvent,
} from 'typeorm';
import { BlindIndexer } from '../blind-index/blind-index';
import { EnvelopeError, keyVersionOf, open, seal, type ValuePlace } from '../envelope/envelope';
import type { KeyRing } from '../keys/key-ring';
import {
  EncryptedColumnError,
  encryptedEntityOf,
  type EncryptedEntitySpec,
  type EncryptedFieldSpec,
} from './encrypted-entity';
import { blindIndexTokenOf } from './blind-index-query';
import { deserializeValue, serializeValue } from './encrypted-value';
import type { EncryptedFieldReadPolicy } from './read-policy';
import { clearRedacted, markRedacted } from './redacted-fields';

type Row = Record<string, unknown>;

/**
 * Seals `@Encrypted` properties before TypeORM writes them and opens them after it loads them.
 *
 * Writes: the active data key is read per write (one indexed query), so a rotation made by any
 * process applies to the next write. The object written holds envelopes only while the query
 * runs; its plaintext is put back afterwards. Loads: keys are cached per account and re-read when
 * an envelope names a version the cache lacks (or does not open with a cached key).
 */
export class EncryptionSubscriber implements EntitySubscriberInterface<object> {
  private readonly logger = new Logger('EncryptedColumns');
  private readonly readKeys = new Map<string, Map<number, KeyObject>>();
  private readonly loading = new WeakMap<
    EntityManager,
    Map<string, Promise<Map<number, KeyObject>>>
  >();
  /** Plaintext of the objects being written, put back once the write is done. */
  private readonly plaintexts = new WeakMap<object, Map<string, unknown>>();

  constructor(
    private readonly keyRing: KeyRing,
    private readonly policy: EncryptedFieldReadPolicy,
  ) {}

  beforeInsert(event: InsertEvent<object>): Promise<void> | void {
    const spec = event.entity ? encryptedEntityOf(event.metadata) : null;
    if (!spec) {
      return;
    }
    return this.sealFields(event.entity as Row, spec, spec.fields, event.manager, undefined, true);
  }

  beforeUpdate(event: UpdateEvent<object>): Promise<void> | void {
    const spec = event.entity ? encryptedEntityOf(event.metadata) : null;
    if (!spec) {
      return;
    }
    const entity = event.entity as Row;
    if (event.databaseEntity) {
      // save(): only changed columns are written; unchanged ones keep their stored envelope.
      const changed = new Set(event.updatedColumns.map((c) => c.propertyName));
      const fields = spec.fields.filter((f) => changed.has(f.property));
      return this.sealFields(
        entity,
        spec,
        fields,
        event.manager,
        event.databaseEntity as Row,
        true,
      );
    }
    // update() and the update query builder: only the values are known, not the rows they go to.
    return this.sealFields(entity, spec, spec.fields, event.manager, undefined, false);
  }

  afterInsert(event: InsertEvent<object>): void {
    this.restore(event.entity);
  }

  afterUpdate(event: UpdateEvent<object>): void {
    this.restore(event.entity);
  }

  async afterLoad(entity: object, event?: LoadEvent<object>): Promise<void> {
    const spec = event ? encryptedEntityOf(event.metadata) : null;
    if (!spec) {
      return;
    }
    const row = entity as Row;
    for (const field of spec.fields) {
      const stored = row[field.property];
      if (stored === undefined || stored === null) {
        continue;
      }
      clearRedacted(entity, field.property);
      const accountId = row[field.accountProperty];
      const recordId = row[spec.primaryProperty];
      if (!isKey(accountId) || !isKey(recordId)) {
        this.redact(row, field);
        this.logger.warn(
          `Encrypted column ${spec.table}.${field.column} was loaded without its record's id or ` +
            `account (${spec.primaryProperty}, ${field.accountProperty}): select them too. Redacted.`,
        );
        continue;
      }
      const place = { table: spec.table, column: field.column, recordId: String(recordId) };
      const account = String(accountId);
      if (
        !this.policy.canDecrypt(entity, { ...place, property: field.property, accountId: account })
      ) {
        this.redact(row, field);
        continue;
      }
      // One after another: the first loads the account's keys for the rest, and a transaction's
      // connection takes one query at a time.
      await this.openField(row, field, stored, { ...place, accountId: account }, event!.manager);
    }
  }

  private async openField(
    row: Row,
    field: EncryptedFieldSpec,
    stored: unknown,
    place: ValuePlace,
    manager: EntityManager,
  ): Promise<void> {
    try {
      if (typeof stored !== 'string') {
        throw new EnvelopeError('malformed');
      }
      const plaintext = await this.open(stored, place, manager);
      try {
        row[field.property] = deserializeValue(plaintext);
      } catch {
        throw new EnvelopeError('malformed');
      }
    } catch (error) {
      if (!(error instanceof EnvelopeError)) {
        throw error;
      }
      this.redact(row, field);
      // Never the value: where it is and why it did not open.
      this.logger.error(
        `An encrypted value did not open and is redacted: table ${place.table}, column ` +
          `${place.column}, record ${place.recordId}, reason ${error.reason}.`,
      );
    }
  }

  private async open(envelope: string, place: ValuePlace, manager: EntityManager): Promise<string> {
    const version = keyVersionOf(envelope);
    const cached = this.readKeys.get(place.accountId);
    const keys = cached?.has(version) ? cached : await this.loadReadKeys(place.accountId, manager);
    try {
      return open(envelope, (v) => keys.get(v), place);
    } catch (error) {
      if (
        keys !== cached ||
        !(error instanceof EnvelopeError) ||
        error.reason !== 'not_authentic'
      ) {
        throw error;
      }
      // The cached key may come from a transaction that rolled back: retry once if the row changed.
      const reloaded = await this.loadReadKeys(place.accountId, manager);
      if (reloaded.get(version) === keys.get(version)) {
        throw error;
      }
      return open(envelope, (v) => reloaded.get(v), place);
    }
  }

  private loadReadKeys(accountId: string, manager: EntityManager): Promise<Map<number, KeyObject>> {
    let inFlight = this.loading.get(manager);
    if (!inFlight) {
      inFlight = new Map();
      this.loading.set(manager, inFlight);
    }
    let pending = inFlight.get(accountId);
    if (!pending) {
      const requests = inFlight;
      pending = this.keyRing
        .existingDataKeys(accountId, manager)
        .then((keys) => {
          this.readKeys.set(accountId, keys);
          return keys;
        })
        .finally(() => requests.delete(accountId));
      inFlight.set(accountId, pending);
    }
    return pending;
  }

  private async sealFields(
    entity: Row,
    spec: EncryptedEntitySpec,
    fields: readonly EncryptedFieldSpec[],
    manager: EntityManager,
    stored: Row | undefined,
    wholeRecord: boolean,
  ): Promise<void> {
    const present = fields.filter((f) => entity[f.property] !== undefined);
    if (present.length === 0) {
      return;
    }
    const originals = new Map<string, unknown>();
    const withValue = present.filter((f) => entity[f.property] !== null);
    for (const field of present) {
      const value = entity[field.property];
      if (typeof value === 'function') {
        throw new EncryptedColumnError(
          `${spec.table}.${field.column} is encrypted: it cannot be set to an SQL expression.`,
        );
      }
      originals.set(field.property, value);
      if (value === null && field.blindIndexProperty) {
        entity[field.blindIndexProperty] = null;
      }
    }
    if (withValue.length > 0) {
      const recordId = entity[spec.primaryProperty] ?? stored?.[spec.primaryProperty];
      if (!isKey(recordId)) {
        throw new EncryptedColumnError(
          wholeRecord
            ? `${spec.table} has encrypted columns, so its records need their id (${spec.primaryProperty}) ` +
                'before they are written: assign it in the application (e.g. newId() or a UUID), not in the database.'
            : `${spec.table}.${withValue[0].column} is encrypted and its value is bound to one record: ` +
                `use save() on the entity, or include ${spec.primaryProperty} and the account id in the values of update().`,
        );
      }
      const dataKeys = new Map<string, Awaited<ReturnType<KeyRing['activeDataKey']>>>();
      const indexers = new Map<string, BlindIndexer>();
      for (const field of withValue) {
        const accountId = entity[field.accountProperty] ?? stored?.[field.accountProperty];
        if (!isKey(accountId)) {
          throw new EncryptedColumnError(
            `${spec.table}.${field.column} is encrypted per account: set ${field.accountProperty} ` +
              (wholeRecord
                ? 'before writing the record.'
                : 'in the values of update(), or use save().'),
          );
        }
        const account = String(accountId);
        let dataKey = dataKeys.get(account);
        if (!dataKey) {
          dataKey = await this.keyRing.activeDataKey(account, manager);
          dataKeys.set(account, dataKey);
        }
        const value = entity[field.property];
        entity[field.property] = seal(serializeValue(value, field.property), dataKey, {
          accountId: account,
          table: spec.table,
          column: field.column,
          recordId: String(recordId),
        });
        if (field.blindIndexProperty) {
          let indexer = indexers.get(account);
          if (!indexer) {
            indexer = new BlindIndexer(await this.keyRing.indexKey(account, manager));
            indexers.set(account, indexer);
          }
          entity[field.blindIndexProperty] = blindIndexTokenOf(indexer, field, value);
        }
      }
    }
    this.plaintexts.set(entity, originals);
  }

  private restore(entity: object | undefined): void {
    const originals = entity ? this.plaintexts.get(entity) : undefined;
    if (!originals) {
      return;
    }
    for (const [property, value] of originals) {
      (entity as Row)[property] = value;
    }
    this.plaintexts.delete(entity!);
  }

  private redact(row: Row, field: EncryptedFieldSpec): void {
    row[field.property] = null;
    markRedacted(row, field.property);
  }
}

function isKey(value: unknown): value is string | number {
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
}

/** Checks every entity of a data source for `@Encrypted` misuse (throws {@link EncryptedColumnError}). */
export function verifyEncryptedEntities(metadatas: readonly EntityMetadata[]): void {
  for (const metadata of metadatas) {
    encryptedEntityOf(metadata);
  }
}
