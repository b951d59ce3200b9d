import type { KeyObject } from 'node:crypto';
import { BlindIndexer } from '../blind-index/blind-index';
import { openBytes, sealBytes, type BlobPlace } from '../envelope/binary-envelope';
import { open, seal, type DataKey, type ValuePlace } from '../envelope/envelope';
import { openStream, sealStream } from '../envelope/sealed-stream';

/**
 * One account's keys, loaded: seals with the active data key, opens with any version the account
 * has, and makes blind-index tokens. Synchronous, so a page or a batch costs one key look-up.
 */
export class AccountCipher {
  private readonly indexer: BlindIndexer;

  constructor(
    readonly accountId: string,
    private readonly active: DataKey,
    private readonly keys: ReadonlyMap<number, KeyObject>,
    indexKey: Buffer,
  ) {
    this.indexer = new BlindIndexer(indexKey);
  }

  /** Version of the data key new values are sealed with. */
  get activeVersion(): number {
    return this.active.version;
  }

  seal(plaintext: string, place: Omit<ValuePlace, 'accountId'>): string {
    return seal(plaintext, this.active, { ...place, accountId: this.accountId });
  }

  /**
   * Throws `EnvelopeError` when the value was tampered with, moved, or sealed by an unknown key.
   * A format-1 envelope is checked against `formerPlace` (see `open`).
   */
  open(
    envelope: string,
    place: Omit<ValuePlace, 'accountId'>,
    formerPlace: Omit<ValuePlace, 'accountId'> = place,
  ): string {
    return open(
      envelope,
      (version) => this.keys.get(version),
      { ...place, accountId: this.accountId },
      { ...formerPlace, accountId: this.accountId },
    );
  }

  /** Seals a file's bytes (see `sealBytes`); the envelope records {@link activeVersion}. */
  sealBytes(plaintext: Uint8Array, place: Omit<BlobPlace, 'accountId'>): Buffer {
    return sealBytes(plaintext, this.active, { ...place, accountId: this.accountId });
  }

  /**
   * Throws `EnvelopeError` when the bytes were tampered with, moved, or sealed by an unknown key.
   * A format-1 envelope is checked against `formerPlace` (see `openBytes`).
   */
  openBytes(
    envelope: Uint8Array,
    place: Omit<BlobPlace, 'accountId'>,
    formerPlace: Omit<BlobPlace, 'accountId'> = place,
  ): Buffer {
    return openBytes(
      envelope,
      (version) => this.keys.get(version),
      { ...place, accountId: this.accountId },
      { ...formerPlace, accountId: this.accountId },
    );
  }

  /** Seals a stream of any length frame by frame (see `sealStream`), with the active key. */
  sealStream(
    source: AsyncIterable<Uint8Array>,
    place: Omit<BlobPlace, 'accountId'>,
  ): AsyncGenerator<Buffer> {
    return sealStream(source, this.active, { ...place, accountId: this.accountId });
  }

  /** The plaintext of a sealed stream; throws `EnvelopeError` at a frame tampered with, moved, dropped or cut off. */
  openStream(
    source: AsyncIterable<Uint8Array>,
    place: Omit<BlobPlace, 'accountId'>,
  ): AsyncGenerator<Buffer> {
    return openStream(source, (version) => this.keys.get(version), {
      ...place,
      accountId: this.accountId,
    });
  }

  /** Blind-index token of `value` for `field` (see `BlindIndexer`). */
  token(field: string, value: string, caseSensitive = false): string {
    return this.indexer.token(field, value, caseSensitive);
  }
}
