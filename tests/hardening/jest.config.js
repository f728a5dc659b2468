/**
 * `npm run test:hardening`: the whole hardening suite at full scale (PLM_HARDENING=full:
 * ≥ 10,000 fuzz cases, every library kind in the fault runs), the load tests in long/,
 * and the empty-source cases of tests/integration/media, then the summary table.
 */
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/tests/hardening/**/*.test.ts', '<rootDir>/tests/integration/media/empty-sources.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
