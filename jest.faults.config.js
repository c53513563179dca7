// The fault-injection suite (test/faults/): real labs, real faults, minutes per scenario, so it runs by
// its own command (scripts/test-faults.sh) rather than inside the README's test command. One scenario at
// a time: each runs a whole lab, and two labs on two cores would time each other's pauses.
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['**/dist/test/faults/**/*.test.js'],
  maxWorkers: 1,
  testTimeout: 1_800_000,
};
