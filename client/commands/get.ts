// `rollouts get NAME [-o tree|json] [--watch]`: the rollout as `kubectl argo rollouts get rollout`
// shows it; with --watch, redrawn on every change until interrupted.
import { Option, type Command } from 'commander';
import type { RolloutStatus } from '../../core/status.js';
import { renderStatus } from '../render.js';
import type { RolloutsClient } from '../rollouts-client.js';
import { sleep } from '../wait.js';
import type { CommandContext } from './context.js';
import { namespaceOf, namespaceOption, rolloutName, UsageError } from './usage.js';

const USAGE = 'rollouts get NAME [-n NAMESPACE] [-o tree|json] [--watch]';

interface GetOptions {
  namespace?: string;
  output: string;
  watch?: boolean;
  interval: string;
}

export function addGet(program: Command, context: CommandContext): void {
  program
    .command('get')
    .description('show a rollout as a tree, or as JSON')
    .usage('NAME [-n NAMESPACE] [-o tree|json] [--watch]')
    .argument('[NAME...]', 'NAME, or "rollout NAME" as Argo spells it')
    .addOption(namespaceOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['tree', 'json']).default('tree'))
    .option('-w, --watch', 'redraw on every change until interrupted')
    .option('--interval <ms>', 'watch poll interval in milliseconds', '1000')
    .action(async (words: string[], opts: GetOptions) => {
      const name = rolloutName(words, 'get', USAGE);
      const namespace = namespaceOf(opts.namespace);
      const interval = /^\d+$/.test(opts.interval) ? Number(opts.interval) : NaN;
      if (!Number.isInteger(interval) || interval < 100)
        throw new UsageError(`--interval: ${opts.interval} is not a whole number of milliseconds ≥ 100`);
      const render = (s: RolloutStatus) =>
        opts.output === 'json' ? JSON.stringify(s, null, 2) : renderStatus(s);
      await context.withClient(async (r) => {
        if (opts.watch)
          await watch(r, namespace, name, { render, json: opts.output === 'json', interval }, context);
        else context.io.out(render(await r.status(namespace, name)));
      });
    });
}

/** Redraws on change, not on every tick, until the signal (Ctrl-C) ends it. */
async function watch(
  rollouts: RolloutsClient,
  namespace: string,
  name: string,
  view: { render: (status: RolloutStatus) => string; json: boolean; interval: number },
  { io }: CommandContext,
): Promise<void> {
  const { render, json, interval } = view;
  let last = '';
  while (!io.signal?.aborted) {
    const status = await rollouts.status(namespace, name);
    const shown = render({ ...status, updatedAt: '' });
    if (shown !== last) {
      io.out(json ? render(status) : `\x1b[2J\x1b[H${render(status)}`);
      last = shown;
    }
    await sleep(interval, io.signal);
  }
}
