// Serializes writes to the cluster between the rollout's main path and its delayed scale-downs, so a
// scale-down that fires while a retry scales the same ReplicaSet up cannot land after it.
import { condition } from '@temporalio/workflow';

export class Lock {
  private held = false;

  get busy(): boolean {
    return this.held;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !this.held);
    this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
    }
  }
}
