import { InMemoryThrottleStore } from '@custos/core';
import { FixedClock } from '@custos/core/testing';
import { FormSubmissionThrottle } from './form-submission-throttle';

describe(FormSubmissionThrottle.name, () => {
  let clock: FixedClock;
  let sut: FormSubmissionThrottle;

  const takeTimes = async (throttle: FormSubmissionThrottle, ip: string, times: number) => {
    for (let i = 0; i < times; i += 1) {
      await throttle.take(ip);
    }
  };

  beforeEach(() => {
    clock = new FixedClock();
    sut = new FormSubmissionThrottle(
      { maxSubmissionsPerIp: 3, submissionWindowSeconds: 60 },
      new InMemoryThrottleStore(clock),
    );
  });

  it('accepts submissions up to the limit within a window', async () => {
    await expect(takeTimes(sut, '10.0.0.1', 3)).resolves.toBeUndefined();
  });

  it('refuses the next one with rate_limited and the seconds left in the window', async () => {
    await takeTimes(sut, '10.0.0.1', 3);
    clock.advance(15_500);
    await expect(sut.take('10.0.0.1')).rejects.toMatchObject({
      kind: 'rate_limited',
      code: 'crm.form_submissions_throttled',
      options: { retryAfterSeconds: 45 },
    });
  });

  it('counts each address on its own', async () => {
    await takeTimes(sut, '10.0.0.1', 3);
    await expect(sut.take('10.0.0.2')).resolves.toBeUndefined();
  });

  it('starts a new window once the old one has passed', async () => {
    await takeTimes(sut, '10.0.0.1', 3);
    await expect(sut.take('10.0.0.1')).rejects.toMatchObject({ kind: 'rate_limited' });
    clock.advance(60_000);
    await expect(takeTimes(sut, '10.0.0.1', 3)).resolves.toBeUndefined();
  });

  it('defaults to 10 per 60 seconds', async () => {
    const defaults = new FormSubmissionThrottle({}, new InMemoryThrottleStore(clock));
    await takeTimes(defaults, '10.0.0.1', 10);
    await expect(defaults.take('10.0.0.1')).rejects.toMatchObject({
      options: { retryAfterSeconds: 60 },
    });
  });
});
