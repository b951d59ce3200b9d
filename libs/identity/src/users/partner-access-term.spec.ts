import { membershipStatusAt } from './partner-access-term';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const BEFORE = new Date(NOW.getTime() - 1);
const AFTER = new Date(NOW.getTime() + 1);
const partner = {
  status: 'active' as const,
  partnerFirmId: 'firm',
  partnerAccessExpiresAt: BEFORE,
  partnerAccessExtendDays: null,
};

describe('membershipStatusAt', () => {
  it('shows an active partner membership past its end as deactivated', () => {
    expect(membershipStatusAt(partner, NOW)).toBe('deactivated');
    expect(membershipStatusAt({ ...partner, partnerAccessExpiresAt: NOW }, NOW)).toBe(
      'deactivated',
    );
  });

  it('leaves the status of others as stored', () => {
    expect(membershipStatusAt({ ...partner, partnerAccessExpiresAt: AFTER }, NOW)).toBe('active');
    expect(membershipStatusAt({ ...partner, partnerAccessExpiresAt: null }, NOW)).toBe('active');
    // Auto-extension: the next request or sweep moves the end on.
    expect(membershipStatusAt({ ...partner, partnerAccessExtendDays: 30 }, NOW)).toBe('active');
    expect(membershipStatusAt({ ...partner, partnerFirmId: null }, NOW)).toBe('active');
    expect(membershipStatusAt({ ...partner, status: 'invited' }, NOW)).toBe('invited');
  });
});
