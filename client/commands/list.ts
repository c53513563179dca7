// `rollouts list [rollouts] [-n NAMESPACE | -A]`: running rollouts, one line each, or as JSON.
import { Option, type Command } from 'commander';
import { renderList } from '../render.js';
import type { CommandContext } from './context.js';
import { namespaceOf, namespaceOption, UsageError } from './usage.js';

interface ListOptions {
  namespace?: string;
  allNamespaces?: boolean;
  output: string;
}

export function addList(program: Command, context: CommandContext): void {
  program
    .command('list')
    .description('list running rollouts')
    .argument('[what]', '"rollouts" (optional, as in kubectl argo rollouts list rollouts)')
    .addOption(namespaceOption())
    .option('-A, --all-namespaces', 'every namespace')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (what: string | undefined, opts: ListOptions) => {
      if (what !== undefined && what !== 'rollouts' && what !== 'rollout' && what !== 'ro')
        throw new UsageError(`list: "${what}" is not something to list, expected rollouts`);
      const namespace = opts.allNamespaces ? undefined : namespaceOf(opts.namespace);
      await context.withClient(async (r) => {
        const statuses = await r.list(namespace);
        context.io.out(opts.output === 'json' ? JSON.stringify(statuses, null, 2) : renderList(statuses));
      });
    });
}
