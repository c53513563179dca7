// `rollouts list [rollouts] [-n NAMESPACE | -A]`: running rollouts, one line each (from the workflows'
// memo summaries, one visibility list), or their full statuses as JSON (a status query of each).
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
      new Option(
        '-o, --output <format>',
        'output format: table (from Temporal visibility, one call) or json (each full status, a query per rollout)',
      )
        .choices(['table', 'json'])
        .default('table'),
    )
    .action(async (what: string | undefined, opts: ListOptions) => {
      if (what !== undefined && what !== 'rollouts' && what !== 'rollout' && what !== 'ro')
        throw new UsageError(`list: "${what}" is not something to list, expected rollouts`);
      const namespace = opts.allNamespaces ? undefined : namespaceOf(opts.namespace);
      await context.withClient(async (r) => {
        // The table is one visibility list (each workflow's memo summary); JSON is every full status.
        if (opts.output === 'json') context.io.out(JSON.stringify(await r.statuses(namespace), null, 2));
        else context.io.out(renderList(await r.list(namespace)));
      });
    });
}
