// `rollouts retry|pause|resume NAME`: the actions that take nothing but the rollout (Argo's spelling
// `retry rollout NAME` works too).
import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { namespaceOf, namespaceOption, rolloutName } from './usage.js';

type Verb = 'retry' | 'pause' | 'resume';

function addNameOnlyAction(program: Command, context: CommandContext, verb: Verb, description: string): void {
  const usage = `rollouts ${verb} NAME [-n NAMESPACE]`;
  program
    .command(verb)
    .description(description)
    .usage('NAME [-n NAMESPACE]')
    .argument('[NAME...]', 'NAME, or "rollout NAME" as Argo spells it')
    .addOption(namespaceOption())
    .action(async (words: string[], opts: { namespace?: string }) => {
      const name = rolloutName(words, verb, usage);
      const namespace = namespaceOf(opts.namespace);
      await context.withClient(async (r) => context.io.out((await r[verb](namespace, name)).message));
    });
}

export const addRetry = (program: Command, context: CommandContext) =>
  addNameOnlyAction(program, context, 'retry', 'restart the steps of an aborted rollout');
export const addPause = (program: Command, context: CommandContext) =>
  addNameOnlyAction(program, context, 'pause', 'stop before the next step until resumed');
export const addResume = (program: Command, context: CommandContext) =>
  addNameOnlyAction(program, context, 'resume', 'continue a paused rollout');
