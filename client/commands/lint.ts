// `rollouts lint -f FILE…`: validate manifests without applying them (and without a cluster).
import fs from 'node:fs';
import type { Command } from 'commander';
import { lintFiles } from '../lint.js';
import type { CommandContext } from './context.js';
import { UsageError } from './usage.js';

export function addLint(program: Command, context: CommandContext): void {
  program
    .command('lint')
    .description('validate manifests without applying them')
    .requiredOption('-f, --filename <file...>', 'manifest file(s)')
    .action((opts: { filename: string[] }) => {
      const { io } = context;
      const files = [...new Set(opts.filename)];
      const missing = files.find((f) => !fs.existsSync(f));
      if (missing) throw new UsageError(`-f ${missing}: no such file`);
      const { errors, objects } = lintFiles(files, (p) => fs.readFileSync(p, 'utf8'));
      errors.forEach((e) => io.err(e.message));
      if (errors.length) {
        io.err(`${errors.length} error(s) in ${files.join(', ')}`);
        context.exitCode = 1;
      } else io.out(`${objects.length} object(s) valid in ${files.join(', ')}`);
    });
}
