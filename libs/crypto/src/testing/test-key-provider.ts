import { randomBytes } from 'node:crypto';
import { LocalKeyProvider } from '../keys/key-provider';

/**
 * A key provider with a fresh random master key, for tests: what `CryptoModule.forRoot({
 * keyProvider })` needs without a key file or a KMS. Two calls give two unrelated keys, which is
 * also how a test shows that data keys wrapped by one provider do not open with another.
 */
export function testKeyProvider(keyId = 'local'): LocalKeyProvider {
  return new LocalKeyProvider(randomBytes(32), keyId);
}
