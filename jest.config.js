/** Jest runs TypeScript through @swc/jest (decorator metadata on), and also transforms the
 * ESM-only dependencies (Nest 12, jose) that Jest 30 cannot require() on Node 20. */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|jose|strtok3|token-types|@tokenizer|uint8array-extras)/)',
  ],
  // Built libs (npm run build:libs) are for packing; tests run the sources.
  modulePathIgnorePatterns: ['<rootDir>/libs/[^/]+/dist/'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@custos/([a-z-]+)/(testing|s3|smtp)$': '<rootDir>/libs/$1/src/$2/index.ts',
    '^@custos/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
};

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Suites boot servers, race transactions and hash passwords with argon2id on 2-core CI machines.
  testTimeout: 120_000,
  // The e2e project runs its tests in random order; the seed lets a failure be replayed.
  showSeed: true,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{libs,src}/**/*.spec.ts',
        '<rootDir>/{libs,src}/**/*.integration-spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testRunner: '<rootDir>/test/support/shuffled-runner.js',
    },
  ],
};
