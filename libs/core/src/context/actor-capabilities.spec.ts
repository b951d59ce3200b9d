import type { Actor, ActorKind } from './actor';
import {
  actsThroughMembership,
  isReadOnly,
  mayHoldPrivilege,
  withholdFromPartnerAdmins,
  isSuperAdminInPerson,
  mayDecryptSensitive,
  mayRemoveSuperAdmins,
  signsInAsPerson,
} from './actor-capabilities';

const actor = (kind: ActorKind, superAdmin = false): Actor => ({
  kind,
  id: 'u1',
  accountId: 'a1',
  userId: kind === 'system' || kind === 'provisioning' ? null : 'u1',
  label: 'someone@example.com',
  superAdmin,
});

describe('actor capabilities', () => {
  it.each([
    ['user', true],
    ['private_app', true],
    ['system', true],
    ['support', false],
    ['partner_admin', false],
    ['provisioning', false],
  ] as const)('mayDecryptSensitive: a %s actor → %s', (kind, decrypts) => {
    expect(mayDecryptSensitive(actor(kind, true))).toBe(decrypts);
  });

  it('only a super admin member in person is a super admin in person', () => {
    expect(isSuperAdminInPerson(actor('user', true))).toBe(true);
    expect(isSuperAdminInPerson(actor('user', false))).toBe(false);
    for (const kind of [
      'private_app',
      'partner_admin',
      'support',
      'system',
      'provisioning',
    ] as const) {
      expect(isSuperAdminInPerson(actor(kind, true))).toBe(false);
    }
  });

  it('only a super admin in person or the provisioning client may remove a super admin', () => {
    expect(mayRemoveSuperAdmins(actor('user', true))).toBe(true);
    expect(mayRemoveSuperAdmins(actor('provisioning', true))).toBe(true);
    expect(mayRemoveSuperAdmins(actor('user'))).toBe(false);
    for (const kind of ['private_app', 'partner_admin', 'support'] as const) {
      expect(mayRemoveSuperAdmins(actor(kind, true))).toBe(false);
    }
  });

  it('support sessions are read-only and sign in as people', () => {
    expect(isReadOnly(actor('support'))).toBe(true);
    expect(isReadOnly(actor('user'))).toBe(false);
    expect(signsInAsPerson(actor('support'))).toBe(true);
    expect(signsInAsPerson(actor('private_app'))).toBe(false);
  });

  it('partner admins act through their membership and sign in as people; apps and jobs do not', () => {
    expect(actsThroughMembership(actor('partner_admin'))).toBe(true);
    expect(actsThroughMembership(actor('user'))).toBe(true);
    for (const kind of ['private_app', 'support', 'system'] as const) {
      expect(actsThroughMembership(actor(kind))).toBe(false);
    }
    expect(signsInAsPerson(actor('partner_admin'))).toBe(true);
  });

  it('withheld privileges are never held by partner admins, and by every other kind as before', () => {
    withholdFromPartnerAdmins(['spec_withheld_privilege']);
    expect(mayHoldPrivilege(actor('partner_admin'), 'spec_withheld_privilege')).toBe(false);
    expect(mayHoldPrivilege(actor('partner_admin'), 'spec_other_privilege')).toBe(true);
    for (const kind of ['user', 'private_app', 'support', 'system'] as const) {
      expect(mayHoldPrivilege(actor(kind, true), 'spec_withheld_privilege')).toBe(true);
    }
  });
});
