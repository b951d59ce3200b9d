import type { Actor } from './actor';
import { actorFromSnapshot, isSnapshotOf, snapshotOf } from './actor-snapshot';

const key: Actor = {
  kind: 'private_app',
  id: 'key-1',
  accountId: 'a1',
  userId: 'u1',
  label: 'CRM sync',
  superAdmin: false,
  scopes: ['export'],
};

describe('actor snapshots', () => {
  it('keep identity only, and stand for the same actor again with the scopes kept beside them', () => {
    const snapshot = snapshotOf(key);
    expect(snapshot).toEqual({
      kind: 'private_app',
      id: 'key-1',
      userId: 'u1',
      label: 'CRM sync',
      superAdmin: false,
    });
    expect(actorFromSnapshot(snapshot, 'a1', ['export'])).toEqual(key);
    expect(actorFromSnapshot(snapshot, 'a1', null)).not.toHaveProperty('scopes');
  });

  it('are of the actor itself only: not of the key’s creator, nor of another account', () => {
    const snapshot = snapshotOf(key);
    expect(isSnapshotOf(snapshot, 'a1', key)).toBe(true);
    expect(isSnapshotOf(snapshot, 'a1', { ...key, kind: 'user', id: 'u1' })).toBe(false);
    expect(isSnapshotOf(snapshot, 'a1', { ...key, accountId: 'a2' })).toBe(false);
  });
});
