// Serializes writes to the cluster between the rollout's main path and its delayed scale-downs, so a
// scale-down that fires while a retry scales the same ReplicaSet up cannot land after it.
import { condition, patched } from '@temporalio/workflow';
import { LOCK_ONE_AT_A_TIME } from './patches.js';

export class Lock {
  private held = false;

  get busy(): boolean {
    return this.held;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !this.held);
    // Several waiters woken in one activation all see it free; the first takes it and the others
    // wait again. Runs begun before let them all in (their histories hold those commands).
    while (this.held && patched(LOCK_ONE_AT_A_TIME)) await condition(() => !this.held);
    this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
    }
  }
}
