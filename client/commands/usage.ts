// Bad usage, said in the user's words: which argument is missing or malformed, and how the command
// line should look. A UsageError exits 2 with "error: <message>".
import { Option } from 'commander';
import { nameProblem } from '../../core/manifest/names.js';

export class UsageError extends Error {}

/** The `-n` option every rollout command takes. */
export function namespaceOption(): Option {
  return new Option(
    '-n, --namespace <namespace>',
    'namespace of the rollout (default $ROLLOUTS_NAMESPACE or "default")',
  );
}

/** The namespace to use: -n, else $ROLLOUTS_NAMESPACE, else "default"; a malformed one is a usage error. */
export function namespaceOf(option: string | undefined): string {
  const [namespace, source] =
    option !== undefined
      ? [option, '-n']
      : process.env.ROLLOUTS_NAMESPACE
        ? [process.env.ROLLOUTS_NAMESPACE, 'ROLLOUTS_NAMESPACE']
        : ['default', ''];
  const problem = nameProblem(namespace, 'label', 63);
  if (problem) throw new UsageError(`${source}: ${problem}`);
  return namespace;
}

/**
 * An argument the command needs. Commander would say "missing required argument 'words'" (its own
 * name for it); this names it as the usage line does, and shows the usage line.
 */
export function required(value: string | undefined, what: string, usage: string): string {
  if (value === undefined) throw missing(what, usage);
  return value;
}

function missing(what: string, usage: string): UsageError {
  return new UsageError(`missing ${what}: ${usage}`);
}

export const MISSING_NAME = "the rollout's NAME";

/** A rollout NAME as Kubernetes would accept it (metadata.name of a Rollout). */
export function checkedName(name: string, command: string): string {
  const problem = nameProblem(name, 'subdomain', 63);
  if (problem) throw new UsageError(`${command}: NAME ${problem}`);
  return name;
}

/** Argo's spelling `get rollout NAME` and the short `get NAME` both work. */
export function rolloutName(words: string[], command: string, usage: string): string {
  if (!words.length) throw missing(MISSING_NAME, usage);
  const rest =
    words[0] === 'rollout' || words[0] === 'ro' || words[0] === 'rollouts' ? words.slice(1) : words;
  if (rest.length !== 1 || !rest[0]) throw new UsageError(`${command}: expected one rollout NAME`);
  return checkedName(rest[0], command);
}
