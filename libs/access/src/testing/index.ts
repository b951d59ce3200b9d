/** Test support for consumers of `@custos/access`: the lib on a real database, with people in memory. */
export {
  InMemoryAccessDirectory,
  createAccessTestApp,
  personActor,
  type AccessTestApp,
} from './access-test-app';
