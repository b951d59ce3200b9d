/** Test support for consumers of `@custos/identity`: the lib booted on a real database, and people in it. */
export {
  createIdentityTestApp,
  createTestAccount,
  addTestMember,
  type IdentityTestApp,
  type TestAccount,
  type TestMember,
} from './identity-test-app';
