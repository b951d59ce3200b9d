/** Test support for consumers of `@custos/crypto`: envelopes in older formats, as stored before an upgrade. */
export { sealInFormat } from '../envelope/envelope';
export { sealBytesInFormat } from '../envelope/binary-envelope';
