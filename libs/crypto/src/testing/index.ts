/**
 * Test support for consumers of `@custos/crypto`: a throwaway key provider, envelopes in older
 * formats, as stored before an upgrade, and two ciphers of one account for rotation tests.
 */
export { testKeyProvider } from './test-key-provider';
export { sealInFormat } from '../envelope/envelope';
export { sealBytesInFormat } from '../envelope/binary-envelope';
export { rotationBatch, rotationCiphers } from './rotation-ciphers';
