import { randomBytes } from 'node:crypto';
import { signLink, verifyLink } from './access-link-signature';

const USER = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const OTHER = '0193a6c4-7f1e-7c3a-9d1e-000000000001';

describe('access link signature', () => {
  const key = randomBytes(32);
  const since = new Date('2026-01-02T03:04:05.678Z');

  it('reads back what it signed', () => {
    expect(verifyLink(key, signLink(key, { userId: USER, generation: 3 }, since), since)).toEqual({
      userId: USER,
      generation: 3,
    });
  });

  it('refuses another key, user, generation or employment, and anything not a link', () => {
    const link = signLink(key, { userId: USER, generation: 3 }, since);
    expect(verifyLink(randomBytes(32), link, since)).toBeNull();
    expect(verifyLink(key, link.replace(USER, OTHER), since)).toBeNull();
    expect(verifyLink(key, link.replace('.3.', '.4.'), since)).toBeNull();
    expect(verifyLink(key, link.replace('.3.', '.03.'), since)).toBeNull();
    // The same person and generation in a later employment (left the firm, added again).
    expect(verifyLink(key, link, new Date(since.getTime() + 1))).toBeNull();
    for (const junk of [undefined, 42, '', 'pl1', `${link}x`, link.slice(0, -1), ` ${link}`]) {
      expect(verifyLink(key, junk, since)).toBeNull();
    }
  });
});
