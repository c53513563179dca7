// `rollouts apply -f FILE…`: start each Rollout of the files, or give it a new revision. Every error in
// the manifests is printed and nothing is applied (exit 1); nothing reaches Temporal before that. Then
// the Rollouts go out a few dozen at a time, their answers printed in the files' order.
import type { Command } from 'commander';
import { CALLS_AT_ONCE, forEachInOrder } from '../concurrency.js';
import { readRolloutFiles, UnreadableFileError } from '../manifest-files.js';
import type { CommandContext } from './context.js';
import { namespaceOf, namespaceOption, UsageError } from './usage.js';

export function addApply(program: Command, context: CommandContext): void {
  program
    .command('apply')
    .description('start a rollout, or give it a new revision, from Argo Rollout manifests')
    .requiredOption('-f, --filename <file...>', 'manifest file(s); multi-document YAML is fine')
    .addOption(namespaceOption())
    .action(async (opts: { filename: string[]; namespace?: string }) => {
      const files = [...new Set(opts.filename)];
      const { io } = context;
      const { rollouts: definitions, errors } = await readRolloutFiles(files, {
        defaultNamespace: namespaceOf(opts.namespace),
        ...(opts.namespace !== undefined ? { namespaceFlag: opts.namespace } : {}),
      }).catch((err: unknown) => {
        throw err instanceof UnreadableFileError ? new UsageError(`-f ${err.message}`) : err;
      });
      if (errors.length) {
        errors.forEach((e) => io.err(e));
        io.err(`nothing applied: ${errors.length} error(s)`);
        context.exitCode = 1;
        return;
      }
      if (!definitions.length) throw new UsageError(`apply: no Rollout in ${files.join(', ')}`);
      await context.withClient(async (rollouts) => {
        // Loaded with the client (bad usage answers without it).
        const { ActionRejectedError, RolloutNotFoundError } = await import('../rollouts-client.js');
        let failure: { error: unknown } | undefined;
        // Many Rollouts a few dozen at a time, each answered in the files' order. One the workflow
        // refuses is said and the others go on (exit 1); any other error stops those not yet sent
        // and is the command's error once those sent are answered.
        await forEachInOrder(
          definitions,
          CALLS_AT_ONCE,
          (definition) => rollouts.apply(definition),
          (_definition, outcome) => {
            if (outcome.ok) io.out(outcome.value.message);
            else if (
              outcome.error instanceof ActionRejectedError ||
              outcome.error instanceof RolloutNotFoundError
            ) {
              io.err(outcome.error.message);
              context.exitCode = 1;
            } else {
              failure ??= { error: outcome.error };
              return false;
            }
            return true;
          },
        );
        if (failure) throw failure.error;
      });
    });
}
