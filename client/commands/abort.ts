// `rollouts abort NAME [--reason TEXT]`: all traffic back to stable, the update stopped.
import type { Command } from 'commander';
import { MAX_REASON_LENGTH } from '../../core/limits.js';
import type { CommandContext } from './context.js';
import { checkedName, MISSING_NAME, namespaceOf, namespaceOption, required, UsageError } from './usage.js';

const USAGE = 'rollouts abort NAME [--reason TEXT] [-n NAMESPACE]';

export function addAbort(program: Command, context: CommandContext): void {
  program
    .command('abort')
    .description('send all traffic back to stable and stop the update')
    .usage('NAME [--reason TEXT] [-n NAMESPACE]')
    .argument('[NAME]', "the rollout's NAME")
    .option('--reason <text>', 'recorded in the status message')
    .addOption(namespaceOption())
    .action(async (nameArg: string | undefined, opts: { reason?: string; namespace?: string }) => {
      const name = checkedName(required(nameArg, MISSING_NAME, USAGE), 'abort');
      if (opts.reason !== undefined && opts.reason.length > MAX_REASON_LENGTH)
        throw new UsageError(
          `--reason: ${opts.reason.length} characters long, expected at most ${MAX_REASON_LENGTH}`,
        );
      const namespace = namespaceOf(opts.namespace);
      await context.withClient(async (r) =>
        context.io.out((await r.abort(namespace, name, opts.reason)).message),
      );
    });
}
