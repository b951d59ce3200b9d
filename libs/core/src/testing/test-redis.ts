/** Redis of the test run: `CUSTOS_TEST_REDIS_URL`, default the local server. */
export const TEST_REDIS_URL = process.env.CUSTOS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether Redis answered the probe of the jest global setup (`test/global-setup.ts`): suites
 * that need it are skipped otherwise — except under `CI=true`, where the setup fails instead.
 */
export function isRedisAvailable(): boolean {
  return process.env.CUSTOS_TEST_REDIS !== 'unavailable';
}
