// How many workflows the worker keeps in memory between their workflow tasks (Temporal's sticky
// cache). WORKER_MAX_CACHED_WORKFLOWS=0 replays every workflow from its history on every task: slow,
// but it shows at once any workflow code that would act differently after a worker restart.
import { ConfigError } from '../config/temporal.js';

export function maxCachedWorkflowsFromEnv(env: Record<string, string | undefined> = process.env): {
  maxCachedWorkflows?: number;
} {
  const value = env.WORKER_MAX_CACHED_WORKFLOWS;
  if (value === undefined || value === '') return {};
  if (!/^\d+$/.test(value))
    throw new ConfigError(
      `WORKER_MAX_CACHED_WORKFLOWS=${value}: expected a whole number of workflows, 0 or more (0 replays every task)`,
    );
  return { maxCachedWorkflows: Number(value) };
}
