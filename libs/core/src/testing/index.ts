export {
  createTestDatabase,
  connectionOptionsOf,
  isPostgresAvailable,
  testDatabaseKinds,
  TEST_POSTGRES_URL,
  type DatabaseKind,
  type TestDatabase,
} from './test-database';
export { startTestModule, type StartedTestModule } from './test-module';
export { FixedClock } from './fixed-clock';
export { throttleStoreContract, type ThrottleStoreUnderTest } from './throttle-store-contract';
export { isRedisAvailable, TEST_REDIS_URL } from './test-redis';
export { fileStoreContract } from './file-store-contract';
export { startTestS3Server, type TestS3Server } from './test-s3';
export { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from './test-smtp';
export {
  jobsContract,
  jobsInstanceBooter,
  jobInState,
  eventually,
  type BootJobsInstance,
  type JobsInstance,
} from './jobs-contract';
export { postgresPlanScans, type PlanScan } from './postgres-plan';
