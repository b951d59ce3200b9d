import { FixedClock } from '@custos/core/testing';
import { FormSubmissionThrottle } from './form-submission-throttle';

describe(FormSubmissionThrottle.name, () => {
  let clock: FixedClock;
  let sut: FormSubmissionThrottle;

  beforeEach(() => {
    clock = new FixedClock();
    sut = new FormSubmissionThrottle(
      { maxSubmissionsPerIp: 3, submissionWindowSeconds: 60 },
      clock,
    );
  });

  it('accepts submissions up to the limit within a window', () => {
    expect(() => [1, 2, 3].forEach(() => sut.take('10.0.0.1'))).not.toThrow();
  });

  it('refuses the next one with rate_limited and the seconds left in the window', () => {
    [1, 2, 3].forEach(() => sut.take('10.0.0.1'));
    clock.advance(15_500);
    expect(() => sut.take('10.0.0.1')).toThrow(
      expect.objectContaining({
        kind: 'rate_limited',
        code: 'crm.form_submissions_throttled',
        options: { retryAfterSeconds: 45 },
      }),
    );
  });

  it('counts each address on its own', () => {
    [1, 2, 3].forEach(() => sut.take('10.0.0.1'));
    expect(() => sut.take('10.0.0.2')).not.toThrow();
  });

  it('starts a new window once the old one has passed', () => {
    [1, 2, 3].forEach(() => sut.take('10.0.0.1'));
    clock.advance(60_000);
    expect(() => sut.take('10.0.0.1')).not.toThrow();
  });

  it('does not count refused attempts towards the next window', () => {
    [1, 2, 3, 4, 5].forEach(() => {
      try {
        sut.take('10.0.0.1');
      } catch {
        // refused beyond the limit
      }
    });
    clock.advance(60_000);
    expect(() => [1, 2, 3].forEach(() => sut.take('10.0.0.1'))).not.toThrow();
  });

  it('defaults to 10 per 60 seconds', () => {
    const defaults = new FormSubmissionThrottle({}, clock);
    Array.from({ length: 10 }).forEach(() => defaults.take('10.0.0.1'));
    expect(() => defaults.take('10.0.0.1')).toThrow(
      expect.objectContaining({ options: { retryAfterSeconds: 60 } }),
    );
  });
});
