export {
  seal,
  open,
  keyVersionOf,
  keyScopeOf,
  envelopeFormatOf,
  isEnvelope,
  EnvelopeError,
  SubjectErasedError,
  ENVELOPE_VERSION,
  SUBJECT_ENVELOPE_VERSION,
  ENVELOPE_LIKE,
  type DataKey,
  type DataSubject,
  type EnvelopeErrorReason,
  type KeyScope,
  type ValuePlace,
} from './envelope/envelope';
export {
  sealBytes,
  openBytes,
  keyVersionOfBytes,
  isSealedBytes,
  BINARY_ENVELOPE_VERSION,
  type BlobPlace,
} from './envelope/binary-envelope';
export {
  sealStream,
  openStream,
  isSealedStream,
  SEALED_STREAM_CHUNK_BYTES,
} from './envelope/sealed-stream';
export { NonceSource } from './envelope/nonce-source';
export { BlindIndexer, BLIND_INDEX_BITS, normalizeForIndex } from './blind-index/blind-index';
export { LocalKeyProvider, type KeyProvider } from './keys/key-provider';
export { KeyRing } from './keys/key-ring';
export { rewrapDataKeys } from './keys/master-key-rotation';
export { DataKeyRecord } from './keys/data-key.entity';
export { SubjectKeyRecord } from './subjects/subject-key.entity';
export { SubjectKeys, SUBJECT_KEY_CACHE_SIZE, fileKeyHolder } from './subjects/subject-keys';
export { SubjectKeyRotationSource } from './subjects/subject-key-rotation-source';
export { CRYPTO_ENTITIES } from './keys/crypto-entities';
export { CryptoModule } from './crypto.module';
export { CryptoModuleOptions, CRYPTO_MODULE_OPTIONS } from './crypto.module-definition';
export { AccountCipher } from './cipher/account-cipher';
export { AccountCiphers } from './cipher/account-ciphers';
export {
  OpeningWorkers,
  OPENING_WORKERS_FROM_VALUES,
  DEFAULT_OPENING_THREADS,
  type OpeningWorkersOptions,
} from './cipher/opening-workers';
export { Encrypted, type EncryptedOptions } from './encrypted/encrypted.decorator';
export { EncryptedColumnError } from './encrypted/encrypted-entity';
export {
  EncryptedValueError,
  type EncryptableValue,
  type JsonValue,
} from './encrypted/encrypted-value';
export { EncryptionSubscriber } from './encrypted/encryption.subscriber';
export { BlindIndexQuery } from './encrypted/blind-index-query';
export { redactedFieldsOf } from './encrypted/redacted-fields';
export {
  ActorReadPolicy,
  ENCRYPTED_FIELD_READ_POLICY,
  type EncryptedField,
  type EncryptedFieldReadPolicy,
} from './encrypted/read-policy';
export { KeyRotationModule, KEY_ROTATION_ENTITIES } from './rotation/key-rotation.module';
export {
  KeyRotationModuleOptions,
  KEY_ROTATION_MODULE_OPTIONS,
  DEFAULT_ROTATION_BATCH_SIZE,
} from './rotation/key-rotation.module-definition';
export {
  KeyRotationJob,
  KEY_ROTATION_STATUSES,
  type KeyRotationStatus,
} from './rotation/key-rotation.entity';
export { KeyRotationRegistry } from './rotation/key-rotation.registry';
export {
  KeyRotationService,
  type EncryptionKeysStatus,
  type KeyVersionUsage,
} from './rotation/key-rotation.service';
export { KeyRotationWorker } from './rotation/key-rotation.worker';
export {
  EnvelopeColumnRotationSource,
  type ColumnValuePlace,
  type EnvelopeColumns,
  type ResealedRow,
  type SealedSlot,
} from './rotation/envelope-column-rotation-source';
export {
  SealedFileRotationSource,
  type SealedFileRow,
  type SealedFiles,
} from './rotation/sealed-file-rotation-source';
export type {
  RotationSource,
  RotationBatch,
  RotationBatchResult,
  KeyRotationListener,
  KeyRotationEvent,
} from './rotation/rotation-source';
export { CRYPTO_MIGRATIONS } from './migrations';
