// The `rollouts` command run inside the test process: the same `run()` the binary calls (arguments,
// connection from the lab's environment, the update or query, the one-line answers and exit codes),
// without a Node process per call. On two busy cores a process costs a second of CPU before it says
// anything, so ten "concurrent" processes arrive over half a minute; in process they arrive within the
// seconds the scenario means. Each call opens its own connection unless `shared` is asked for (polling).
import { Client, Connection } from '@temporalio/client';
import { run } from '../../../client/cli.js';
import { RolloutsClient } from '../../../client/rollouts-client.js';
import type { RolloutStatus } from '../../../core/status.js';
import { connectionOptions, temporalConfigFromEnv } from '../../../config/temporal.js';
import type { Lab } from '../../support/lab.js';
import { waitForStatus } from '../../support/wait-for-status.js';

export interface Answer {
  args: string[];
  code: number;
  /** stdout and stderr together, as a person sees them. */
  text: string;
  /** The command threw instead of answering: a crash. */
  crashed?: boolean;
}

type Connected = { rollouts: RolloutsClient; close: () => Promise<void> };

export class RolloutsCommand {
  private sharedConnection?: Promise<Connection>;

  constructor(private readonly lab: Lab) {}

  private async open(shared: boolean): Promise<Connected> {
    const config = temporalConfigFromEnv(this.lab.env);
    const connect = () => Connection.connect({ ...connectionOptions(config), connectTimeout: '5s' });
    if (shared) this.sharedConnection ??= connect();
    const connection = shared ? await (this.sharedConnection as Promise<Connection>) : await connect();
    const client = new Client({ connection, namespace: config.namespace });
    return {
      rollouts: new RolloutsClient(client, config.taskQueue),
      close: shared ? () => Promise.resolve() : () => connection.close(),
    };
  }

  /** `rollouts ARGS…`: the exit code and what it printed. */
  async run(args: string[], options: { shared?: boolean } = {}): Promise<Answer> {
    const lines: string[] = [];
    try {
      const code = await run(args, {
        out: (text) => lines.push(text),
        err: (text) => lines.push(text),
        connect: () => this.open(options.shared === true),
      });
      return { args, code, text: lines.join('\n') };
    } catch (err) {
      return {
        args,
        code: -1,
        text: `${lines.join('\n')}${String((err as Error)?.stack ?? err)}`,
        crashed: true,
      };
    }
  }

  async status(name: string, namespace: string): Promise<RolloutStatus> {
    const answer = await this.run(['get', name, '-n', namespace, '-o', 'json'], { shared: true });
    if (answer.code !== 0) throw new Error(`rollouts get ${name} -n ${namespace}: ${answer.text}`);
    return JSON.parse(answer.text) as RolloutStatus;
  }

  /** Polls the status until `done` holds; the error names what it waited for and the last status. */
  async waitFor(
    name: string,
    namespace: string,
    what: string,
    done: (status: RolloutStatus) => boolean,
    timeoutMs = 120_000,
    pollMs = 500,
  ): Promise<RolloutStatus> {
    return waitForStatus(
      () => this.status(name, namespace),
      `${namespace}/${name}`,
      what,
      done,
      timeoutMs,
      pollMs,
    );
  }

  async close(): Promise<void> {
    const connection = await this.sharedConnection?.catch(() => undefined);
    this.sharedConnection = undefined;
    await connection?.close();
  }
}
