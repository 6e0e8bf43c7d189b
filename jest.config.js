// Unit tests run everywhere; e2e tests (real Docker engines in the netns lab, real terraform,
// real PostgreSQL) live in __tests__/e2e and decide for themselves whether the machine can run them.
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/**/*.test.ts'], testPathIgnorePatterns: ['/__tests__/e2e/'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] },
  ],
};
