import { randomBytes } from 'node:crypto';
import { BLIND_INDEX_BITS, BlindIndexer } from './blind-index';

describe(BlindIndexer.name, () => {
  const indexer = new BlindIndexer(randomBytes(32));

  it('gives equal tokens for equal values after normalisation', () => {
    expect(indexer.token('email', '  Ada@Example.COM ')).toBe(
      indexer.token('email', 'ada@example.com'),
    );
    expect(indexer.token('national_id', 'Ｘ１２３')).toBe(indexer.token('national_id', 'x123'));
  });

  it('keeps case when the field is case-sensitive', () => {
    expect(indexer.token('code', 'AbC', true)).not.toBe(indexer.token('code', 'abc', true));
  });

  it('gives unrelated tokens for other fields and other accounts', () => {
    expect(indexer.token('email', 'ada@example.com')).not.toBe(
      indexer.token('phone', 'ada@example.com'),
    );
    expect(new BlindIndexer(randomBytes(32)).token('email', 'ada@example.com')).not.toBe(
      indexer.token('email', 'ada@example.com'),
    );
  });

  it(`truncates to ${BLIND_INDEX_BITS} bits`, () => {
    expect(indexer.token('email', 'x')).toMatch(new RegExp(`^[0-9a-f]{${BLIND_INDEX_BITS / 4}}$`));
  });
});
