/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The long hardening parts (load) run in `npm run test:hardening` (tests/hardening/jest.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/hardening/long/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // Middy 6 and p-limit ship ESM only; let swc turn them into CJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|p-limit|yocto-queue)/)'],
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/helpers/env.ts'],
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/logs.ts', '<rootDir>/tests/helpers/db-lifecycle.ts'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/helpers/summary-reporter.js', '<rootDir>/tests/hardening/summary-table.js'],
};
