// `rollouts promote NAME [--full]`: end the current pause (or an Inconclusive analysis's), or skip
// every remaining step.
import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { checkedName, MISSING_NAME, namespaceOf, namespaceOption, required } from './usage.js';

const USAGE = 'rollouts promote NAME [--full] [-n NAMESPACE]';

export function addPromote(program: Command, context: CommandContext): void {
  program
    .command('promote')
    .description('end the current pause, or with --full skip every remaining step')
    .usage('NAME [--full] [-n NAMESPACE]')
    .argument('[NAME]', "the rollout's NAME")
    .option('--full', 'skip every remaining step and analysis')
    .addOption(namespaceOption())
    .action(async (nameArg: string | undefined, opts: { full?: boolean; namespace?: string }) => {
      const name = checkedName(required(nameArg, MISSING_NAME, USAGE), 'promote');
      const namespace = namespaceOf(opts.namespace);
      await context.withClient(async (r) =>
        context.io.out((await r.promote(namespace, name, opts.full === true)).message),
      );
    });
}
