// The `rollouts` command, shaped like `kubectl argo rollouts`: commander wired to one small module per
// verb (client/commands/). `run` takes the arguments and the output streams and returns the exit
// code: 0 done, 1 refused or failed (with a one-line reason), 2 bad usage.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/temporal.js';
import { addAbort } from './commands/abort.js';
import { addApply } from './commands/apply.js';
import { CommandContext, type Io } from './commands/context.js';
import { addGet } from './commands/get.js';
import { addLab } from './commands/lab.js';
import { addLint } from './commands/lint.js';
import { addList } from './commands/list.js';
import { addPromote } from './commands/promote.js';
import { addPause, addResume, addRetry } from './commands/retry-pause-resume.js';
import { addSetImage } from './commands/set-image.js';
import { UsageError } from './commands/usage.js';

export type { Io } from './commands/context.js';

/** In the order `rollouts --help` lists them. */
const COMMANDS = [
  addApply,
  addSetImage,
  addPromote,
  addAbort,
  addRetry,
  addPause,
  addResume,
  addGet,
  addList,
  addLint,
  addLab,
];

export async function run(argv: string[], io: Io): Promise<number> {
  const context = new CommandContext(io);
  const program = new Command('rollouts')
    .description('Progressive delivery for Kubernetes: every Rollout is a durable Temporal workflow')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError(false)
    // Each command listed with its usage line (NAME, CONTAINER=IMAGE…), inherited by the subcommands.
    .configureHelp({ subcommandTerm: (command) => `${command.name()} ${command.usage()}`.trimEnd() });
  for (const add of COMMANDS) add(program, context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (err) {
    return report(err, io);
  }
}

/** The one line a failure prints, and its exit code. */
async function report(err: unknown, io: Io): Promise<number> {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander has printed it
  if (err instanceof UsageError || err instanceof ConfigError) {
    io.err(`error: ${err.message}`);
    return 2;
  }
  // Loaded only now: a command line refused for bad usage answers without the Temporal client.
  const { ActionRejectedError, RolloutNotFoundError } = await import('./rollouts-client.js');
  if (err instanceof ActionRejectedError || err instanceof RolloutNotFoundError) {
    io.err(err.message);
    return 1;
  }
  io.err(`error: ${describe(err)}`);
  return 1;
}

/** An error's message with its causes' (a ServiceError's own says only "Workflow Update failed"). */
function describe(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  while (e instanceof Error && parts.length < 4) {
    const details = (e as { details?: unknown }).details;
    const text = typeof details === 'string' && details !== '' ? details : e.message;
    if (!parts.includes(text)) parts.push(text);
    e = e.cause;
  }
  return parts.length > 0 ? parts.join(': ') : typeof err === 'string' ? err : JSON.stringify(err);
}
