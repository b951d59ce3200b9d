export {
  createTestDatabase,
  connectionOptionsOf,
  isPostgresAvailable,
  testDatabaseKinds,
  TEST_POSTGRES_URL,
  type DatabaseKind,
  type TestDatabase,
} from './test-database';
export { FixedClock } from './fixed-clock';
