export {
  createPrivacyTestApp,
  InMemoryPrivacyAssignees,
  type PrivacyTestApp,
} from './privacy-test-app';
