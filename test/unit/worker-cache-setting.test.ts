import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../config/temporal.js';
import { maxCachedWorkflowsFromEnv } from '../../worker/cache-setting.js';

describe('WORKER_MAX_CACHED_WORKFLOWS', () => {
  it("leaves Temporal's default when unset or empty", () => {
    expect(maxCachedWorkflowsFromEnv({})).toEqual({});
    expect(maxCachedWorkflowsFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '' })).toEqual({});
  });

  it('takes 0 (replay every task) and any whole number', () => {
    expect(maxCachedWorkflowsFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toEqual({
      maxCachedWorkflows: 0,
    });
    expect(maxCachedWorkflowsFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '2000' })).toEqual({
      maxCachedWorkflows: 2000,
    });
  });

  it.each(['-1', '1.5', 'all', ' 10'])('refuses %p, naming the variable and what it expects', (value) => {
    expect(() => maxCachedWorkflowsFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: value })).toThrow(
      new ConfigError(
        `WORKER_MAX_CACHED_WORKFLOWS=${value}: expected a whole number of workflows, 0 or more (0 replays every task)`,
      ),
    );
  });
});
