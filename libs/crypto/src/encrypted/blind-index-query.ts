import { Injectable } from '@nestjs/common';
import { DataSource, type EntityTarget } from 'typeorm';
import { BlindIndexer } from '../blind-index/blind-index';
import { KeyRing } from '../keys/key-ring';
import {
  EncryptedColumnError,
  encryptedEntityOf,
  type EncryptedFieldSpec,
} from './encrypted-entity';
import { indexFormOf } from './encrypted-value';

/** The token the subscriber writes for `value` into the field's blind-index column. */
export function blindIndexTokenOf(
  indexer: BlindIndexer,
  field: EncryptedFieldSpec,
  value: unknown,
): string {
  return indexer.token(
    field.indexField,
    indexFormOf(value, field.property),
    field.caseSensitive || typeof value !== 'string',
  );
}

/**
 * Equality search on an `@Encrypted({ blindIndex })` property: computes the token to look up.
 * Tokens are 64-bit: compare the decrypted value of what is found when a false positive matters.
 */
@Injectable()
export class BlindIndexQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keyRing: KeyRing,
  ) {}

  /** The blind-index token of `value` for `property` of `entity` in the account. */
  async token<T>(
    entity: EntityTarget<T>,
    property: keyof T & string,
    accountId: string,
    value: unknown,
  ): Promise<string> {
    const { field } = this.fieldOf(entity, property);
    return blindIndexTokenOf(
      new BlindIndexer(await this.keyRing.indexKey(accountId)),
      field,
      value,
    );
  }

  /**
   * A `where` fragment matching `value`: `{ [blindIndexProperty]: token }`, e.g.
   * `repo.findBy({ accountId, ...(await blindIndex.where(Person, 'nationalId', accountId, id)) })`.
   */
  async where<T>(
    entity: EntityTarget<T>,
    property: keyof T & string,
    accountId: string,
    value: unknown,
  ): Promise<Record<string, string>> {
    const { field } = this.fieldOf(entity, property);
    return { [field.blindIndexProperty!]: await this.token(entity, property, accountId, value) };
  }

  private fieldOf(entity: EntityTarget<unknown>, property: string): { field: EncryptedFieldSpec } {
    const metadata = this.dataSource.getMetadata(entity);
    const field = encryptedEntityOf(metadata)?.fields.find((f) => f.property === property);
    if (!field?.blindIndexProperty) {
      throw new EncryptedColumnError(
        `${metadata.targetName}.${property} has no blind index: declare it with @Encrypted({ blindIndex: '<column>' }).`,
      );
    }
    return { field };
  }
}
