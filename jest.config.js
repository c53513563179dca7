// Tests are written in TypeScript and compiled by `tsc` (npm run build) into dist/; Jest runs the
// compiled ES modules natively (--experimental-vm-modules), so no transform sits between the code
// under test and what the worker and CLI actually run.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
