// One jest run, three projects: pure unit tests, component tests against the real MariaDB/Redis/
// Kafka, and end-to-end tests that start the fleet as processes. `--selectProjects` picks them.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2024' } }] };
const moduleNameMapper = { '^@qc/shared/(.*)$': '<rootDir>/shared/src/$1' };
const common = { transform, moduleNameMapper, testEnvironment: 'node', rootDir: __dirname };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/*/test/unit/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'component',
      testMatch: ['<rootDir>/*/test/component/**/*.test.ts'],
      globalSetup: '<rootDir>/shared/test/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      // The shared checks, and that the compiled fleet is as new as its sources.
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
    },
  ],
};
