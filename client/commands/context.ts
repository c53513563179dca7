// What every command of `rollouts` shares: the output streams, the connection (made only when a
// command gets that far, so bad usage never reaches Temporal) and the exit code of a refusal.
import { connectRollouts, type RolloutsConnection } from '../connect.js';
import type { RolloutsClient } from '../rollouts-client.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Injected by tests; the real command connects from the environment. */
  connect?: () => Promise<RolloutsConnection>;
  /** Ends `get --watch` (Ctrl-C in the real command). */
  signal?: AbortSignal;
}

export class CommandContext {
  /** 0 done; a command that refused after printing its reasons sets 1 (the lab's commands their own). */
  exitCode = 0;

  constructor(readonly io: Io) {}

  /** Connects, runs `work` with the client, and closes. */
  async withClient(work: (rollouts: RolloutsClient) => Promise<void>): Promise<void> {
    const { rollouts, close } = await (this.io.connect ?? connectRollouts)();
    try {
      await work(rollouts);
    } finally {
      await close();
    }
  }
}
