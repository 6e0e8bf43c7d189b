// Unit tests run everywhere; e2e tests (real Docker engines in the netns lab, real terraform,
// real PostgreSQL) live in __tests__/e2e and decide for themselves whether the machine can run them.
// __tests__/harness: each run gets its own TMPDIR and must leave it empty; the e2e skip banner is
// printed at the end of the run, whatever the reporter.
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/harness/cleanup.ts'],
};
module.exports = {
  globalSetup: '<rootDir>/__tests__/harness/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/harness/global-teardown.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/**/*.test.ts'], testPathIgnorePatterns: ['/__tests__/e2e/'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] },
  ],
};
