/** The Redis connection of the server (throttling, readiness), provided when `REDIS_URL` is set. */
export const REDIS = Symbol('REDIS');
