// A workflow that asks the rollout's Lock for two jobs in one activation, each holding it across a
// timer, and returns when each entered and left: the Lock must let them in one at a time.
import { sleep } from '@temporalio/workflow';
import { Lock } from '../../../workflows/lock.js';

export async function lockProbeWorkflow(): Promise<string[]> {
  const lock = new Lock();
  const log: string[] = [];
  const job = (name: string) =>
    lock.run(async () => {
      log.push(`${name} in`);
      await sleep('1s');
      log.push(`${name} out`);
    });
  await sleep('1s'); // free now, as when a scale-down timer and the main path wake together
  await Promise.all([job('a'), job('b'), job('c')]);
  return log;
}
