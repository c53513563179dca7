// `rollouts set image NAME CONTAINER=IMAGE`: a new revision with one container's image changed.
import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { checkedName, MISSING_NAME, namespaceOf, namespaceOption, required, UsageError } from './usage.js';

const USAGE = 'rollouts set image NAME CONTAINER=IMAGE [-n NAMESPACE]';

/** `CONTAINER=IMAGE`, as in `kubectl argo rollouts set image`. */
function parseImageArg(arg: string): { container: string; image: string } {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=(\S+)$/.exec(arg);
  if (!match)
    throw new UsageError(
      `set image: "${arg}" is not CONTAINER=IMAGE (e.g. myapp=argoproj/rollouts-demo:yellow)`,
    );
  return { container: match[1] as string, image: match[3] as string };
}

export function addSetImage(program: Command, context: CommandContext): void {
  const set = program.command('set').description('change a rollout');
  set
    .command('image')
    .description('set a container image: a new revision')
    .usage('NAME CONTAINER=IMAGE [-n NAMESPACE]')
    .argument('[NAME]', "the rollout's NAME")
    .argument('[CONTAINER=IMAGE]', 'e.g. myapp=argoproj/rollouts-demo:yellow')
    .addOption(namespaceOption())
    .action(async (nameArg: string | undefined, arg: string | undefined, opts: { namespace?: string }) => {
      const name = checkedName(required(nameArg, MISSING_NAME, USAGE), 'set image');
      const { container, image } = parseImageArg(required(arg, 'CONTAINER=IMAGE', USAGE));
      const namespace = namespaceOf(opts.namespace);
      await context.withClient(async (r) =>
        context.io.out((await r.setImage(namespace, name, container, image)).message),
      );
    });
}
