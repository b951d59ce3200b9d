export { BullJobBackend, type BullJobBackendOptions } from './bullmq-job-backend';
export { RedisThrottleStore } from './redis-throttle-store';
export { REDIS } from './redis.token';
