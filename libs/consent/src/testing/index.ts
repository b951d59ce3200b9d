export {
  createConsentTestApp,
  InMemoryConsentContacts,
  type ConsentTestApp,
} from './consent-test-app';
