/**
 * Test support for consumers of `@custos/crypto`: a throwaway key provider, and envelopes in
 * older formats, as stored before an upgrade.
 */
export { testKeyProvider } from './test-key-provider';
export { sealInFormat } from '../envelope/envelope';
export { sealBytesInFormat } from '../envelope/binary-envelope';
