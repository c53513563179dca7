// `rollouts apply -f FILE…`: start each Rollout of the files, or give it a new revision. Every error in
// the manifests is printed and nothing is applied (exit 1); nothing reaches Temporal before that.
import type { Command } from 'commander';
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
        for (const definition of definitions) io.out((await rollouts.apply(definition)).message);
      });
    });
}
