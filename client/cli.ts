// The `rollouts` command, shaped like `kubectl argo rollouts`. `run` takes the arguments and the
// output streams and returns the exit code: 0 done, 1 refused or failed (with a one-line reason),
// 2 bad usage.
import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { attachAnalysisTemplates, missingTemplates } from '../core/analysis/attach.js';
import type { AnalysisTemplateManifest } from '../core/manifest/argo-types.js';
import {
  duplicateErrors,
  loadManifests,
  type ManifestError,
  type ObjectSummary,
} from '../core/manifest/index.js';
import { nameProblem } from '../core/manifest/names.js';
import type { RolloutDefinition } from '../core/types.js';
import { connectionOptions, temporalConfigFromEnv, ConfigError } from '../config/temporal.js';
import { lintFiles } from './lint.js';
import { renderList, renderStatus } from './render.js';
import type { RolloutsClient } from './rollouts-client.js';
import { MAX_REASON_LENGTH } from '../core/limits.js';
import { parseRate, RateError } from '../lab/stack/rate.js';

/** The lab's commands load the Kubernetes client (a second of start-up), so only when used. */
const loadLab = () => import('../lab/stack/lab.js');

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Injected by tests; the real command connects from the environment. */
  connect?: () => Promise<{ rollouts: RolloutsClient; close: () => Promise<void> }>;
  /** Ends `get --watch` (Ctrl-C in the real command). */
  signal?: AbortSignal;
}

class UsageError extends Error {}

async function connectFromEnv(): Promise<{ rollouts: RolloutsClient; close: () => Promise<void> }> {
  const config = temporalConfigFromEnv();
  // Loaded here, not at start-up: a command line refused for bad usage answers without them.
  const [{ Client, Connection }, { RolloutsClient }] = await Promise.all([
    import('@temporalio/client'),
    import('./rollouts-client.js'),
  ]);
  const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: '5s' }).catch(
    (err: unknown) => {
      throw new Error(`cannot reach Temporal at ${config.address}: ${(err as Error).message}`);
    },
  );
  const client = new Client({ connection, namespace: config.namespace });
  return { rollouts: new RolloutsClient(client, config.taskQueue), close: () => connection.close() };
}

/** The namespace to use: -n, else $ROLLOUTS_NAMESPACE, else "default"; a malformed one is a usage error. */
function namespaceOf(option: string | undefined): string {
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

/** A rollout NAME as Kubernetes would accept it (metadata.name of a Rollout). */
function checkedName(name: string, command: string): string {
  const problem = nameProblem(name, 'subdomain', 63);
  if (problem) throw new UsageError(`${command}: NAME ${problem}`);
  return name;
}

async function readManifests(
  files: string[],
  namespaceOption: string | undefined,
): Promise<{ rollouts: RolloutDefinition[]; errors: string[] }> {
  const namespace = namespaceOf(namespaceOption);
  const rollouts: RolloutDefinition[] = [];
  const templates: AnalysisTemplateManifest[] = [];
  const objects: ObjectSummary[] = [];
  const errors: string[] = [];
  /** Which file each Rollout came from, for messages about it after loading. */
  const fileOf = new Map<RolloutDefinition, string>();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `-f ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    const loaded = loadManifests(text, file, { defaultNamespace: namespace });
    for (const def of loaded.rollouts) fileOf.set(def, file);
    rollouts.push(...loaded.rollouts);
    templates.push(...loaded.analysisTemplates);
    objects.push(...loaded.objects);
    errors.push(...loaded.errors.map((e: ManifestError) => e.message));
  }
  // The same object in two files: applying both would make two revisions, the last one winning.
  errors.push(...duplicateErrors(objects, { acrossFilesOnly: true }).map((e) => e.message));
  // As kubectl: -n does not move an object that names another namespace.
  if (namespaceOption !== undefined)
    for (const def of rollouts)
      if (def.namespace !== namespace)
        errors.push(
          `${fileOf.get(def)}: Rollout ${def.namespace}/${def.name}: metadata.namespace: "${def.namespace}" does not match -n ${namespace}`,
        );
  // Templates the files do not hold may be in the cluster (Argo's CRDs, or the lab's).
  const missing = rollouts.flatMap((def) => missingTemplates(def, templates));
  if (missing.length) {
    // Loaded only when needed: the Kubernetes client takes a second to load.
    const { fetchAnalysisTemplates, kubeconfigPath } = await import('./cluster-templates.js');
    const kubeconfig = kubeconfigPath();
    if (kubeconfig) {
      const fetched = await fetchAnalysisTemplates(missing, kubeconfig);
      templates.push(...fetched.templates);
      errors.push(...fetched.errors);
    }
  }
  // Each Rollout carries the AnalysisTemplates it uses; a missing one or a missing arg fails here.
  const attached = rollouts.map((def) => attachAnalysisTemplates(def, templates));
  attached.forEach((a, i) => {
    const file = fileOf.get(rollouts[i] as RolloutDefinition);
    errors.push(...a.errors.map((e) => `${file}: ${e}`));
  });
  return { rollouts: attached.map((a) => a.rollout), errors };
}

/** `CONTAINER=IMAGE`, as in `kubectl argo rollouts set image`. */
function parseImageArg(arg: string): { container: string; image: string } {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=(\S+)$/.exec(arg);
  if (!match)
    throw new UsageError(
      `set image: "${arg}" is not CONTAINER=IMAGE (e.g. myapp=argoproj/rollouts-demo:yellow)`,
    );
  return { container: match[1] as string, image: match[3] as string };
}

/** Argo's spelling `get rollout NAME` and the short `get NAME` both work. */
function rolloutName(words: string[], command: string): string {
  const rest =
    words[0] === 'rollout' || words[0] === 'ro' || words[0] === 'rollouts' ? words.slice(1) : words;
  if (rest.length !== 1 || !rest[0]) throw new UsageError(`${command}: expected one rollout NAME`);
  return checkedName(rest[0], command);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const connect = io.connect ?? connectFromEnv;
  let exitCode = 0;

  async function withClient(work: (rollouts: RolloutsClient) => Promise<void>): Promise<void> {
    const { rollouts, close } = await connect();
    try {
      await work(rollouts);
    } finally {
      await close();
    }
  }

  const program = new Command('rollouts')
    .description('Progressive delivery for Kubernetes: every Rollout is a durable Temporal workflow')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError(false);
  const ns = () =>
    new Option(
      '-n, --namespace <namespace>',
      'namespace of the rollout (default $ROLLOUTS_NAMESPACE or "default")',
    );

  program
    .command('apply')
    .description('start a rollout, or give it a new revision, from Argo Rollout manifests')
    .requiredOption('-f, --filename <file...>', 'manifest file(s); multi-document YAML is fine')
    .addOption(ns())
    .action(async (opts: { filename: string[]; namespace?: string }) => {
      const files = [...new Set(opts.filename)];
      const { rollouts: defs, errors } = await readManifests(files, opts.namespace);
      if (errors.length) {
        errors.forEach((e) => io.err(e));
        io.err(`nothing applied: ${errors.length} error(s)`);
        exitCode = 1;
        return;
      }
      if (!defs.length) throw new UsageError(`apply: no Rollout in ${files.join(', ')}`);
      await withClient(async (rollouts) => {
        for (const def of defs) io.out((await rollouts.apply(def)).message);
      });
    });

  const set = program.command('set').description('change a rollout');
  set
    .command('image')
    .description('set a container image: a new revision')
    .argument('<name>', 'rollout name')
    .argument('<container=image>', 'e.g. myapp=argoproj/rollouts-demo:yellow')
    .addOption(ns())
    .action(async (name: string, arg: string, opts: { namespace?: string }) => {
      checkedName(name, 'set image');
      const { container, image } = parseImageArg(arg);
      const namespace = namespaceOf(opts.namespace);
      await withClient(async (r) => io.out((await r.setImage(namespace, name, container, image)).message));
    });

  program
    .command('promote')
    .description('end the current pause, or with --full skip every remaining step')
    .argument('<name>')
    .option('--full', 'skip every remaining step and analysis')
    .addOption(ns())
    .action(async (name: string, opts: { full?: boolean; namespace?: string }) => {
      checkedName(name, 'promote');
      const namespace = namespaceOf(opts.namespace);
      await withClient(async (r) => io.out((await r.promote(namespace, name, opts.full === true)).message));
    });

  program
    .command('abort')
    .description('send all traffic back to stable and stop the update')
    .argument('<name>')
    .option('--reason <text>', 'recorded in the status message')
    .addOption(ns())
    .action(async (name: string, opts: { reason?: string; namespace?: string }) => {
      checkedName(name, 'abort');
      if (opts.reason !== undefined && opts.reason.length > MAX_REASON_LENGTH)
        throw new UsageError(
          `--reason: ${opts.reason.length} characters long, expected at most ${MAX_REASON_LENGTH}`,
        );
      const namespace = namespaceOf(opts.namespace);
      await withClient(async (r) => io.out((await r.abort(namespace, name, opts.reason)).message));
    });

  for (const [verb, description] of [
    ['retry', 'restart the steps of an aborted rollout'],
    ['pause', 'stop before the next step until resumed'],
    ['resume', 'continue a paused rollout'],
  ] as const) {
    program
      .command(verb)
      .description(description)
      .argument('<words...>', 'NAME (or "rollout NAME")')
      .addOption(ns())
      .action(async (words: string[], opts: { namespace?: string }) => {
        const name = rolloutName(words, verb);
        const namespace = namespaceOf(opts.namespace);
        await withClient(async (r) => io.out((await r[verb](namespace, name)).message));
      });
  }

  program
    .command('get')
    .description('show a rollout as a tree, or as JSON')
    .argument('<words...>', 'NAME (or "rollout NAME")')
    .addOption(ns())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['tree', 'json']).default('tree'))
    .option('-w, --watch', 'redraw on every change until interrupted')
    .option('--interval <ms>', 'watch poll interval in milliseconds', '1000')
    .action(
      async (
        words: string[],
        opts: { namespace?: string; output: string; watch?: boolean; interval: string },
      ) => {
        const name = rolloutName(words, 'get');
        const namespace = namespaceOf(opts.namespace);
        const render = (s: Parameters<typeof renderStatus>[0]) =>
          opts.output === 'json' ? JSON.stringify(s, null, 2) : renderStatus(s);
        const interval = /^\d+$/.test(opts.interval) ? Number(opts.interval) : NaN;
        if (!Number.isInteger(interval) || interval < 100)
          throw new UsageError(`--interval: ${opts.interval} is not a whole number of milliseconds ≥ 100`);
        await withClient(async (r) => {
          if (!opts.watch) return io.out(render(await r.status(namespace, name)));
          let last = '';
          while (!io.signal?.aborted) {
            const status = await r.status(namespace, name);
            const shown = render({ ...status, updatedAt: '' }); // redraw on change, not on every tick
            if (shown !== last) {
              io.out(opts.output === 'json' ? render(status) : `\x1b[2J\x1b[H${render(status)}`);
              last = shown;
            }
            await new Promise((resolve) => {
              const timer = setTimeout(resolve, interval);
              io.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), {
                once: true,
              });
            });
          }
        });
      },
    );

  program
    .command('list')
    .description('list running rollouts')
    .argument('[what]', '"rollouts" (optional, as in kubectl argo rollouts list rollouts)')
    .addOption(ns())
    .option('-A, --all-namespaces', 'every namespace')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(
      async (
        what: string | undefined,
        opts: { namespace?: string; allNamespaces?: boolean; output: string },
      ) => {
        if (what !== undefined && what !== 'rollouts' && what !== 'rollout' && what !== 'ro')
          throw new UsageError(`list: "${what}" is not something to list, expected rollouts`);
        const namespace = opts.allNamespaces ? undefined : namespaceOf(opts.namespace);
        await withClient(async (r) => {
          const statuses = await r.list(namespace);
          io.out(opts.output === 'json' ? JSON.stringify(statuses, null, 2) : renderList(statuses));
        });
      },
    );

  program
    .command('lint')
    .description('validate manifests without applying them')
    .requiredOption('-f, --filename <file...>', 'manifest file(s)')
    .action((opts: { filename: string[] }) => {
      const files = [...new Set(opts.filename)];
      const missing = files.find((f) => !fs.existsSync(f));
      if (missing) throw new UsageError(`-f ${missing}: no such file`);
      const { errors, objects } = lintFiles(files, (p) => fs.readFileSync(p, 'utf8'));
      errors.forEach((e) => io.err(e.message));
      if (errors.length) {
        io.err(`${errors.length} error(s) in ${files.join(', ')}`);
        exitCode = 1;
      } else io.out(`${objects.length} object(s) valid in ${files.join(', ')}`);
    });

  // The local stack (lab/stack/): Temporal, kube-apiserver, mesh simulator, Prometheus and a worker.
  const lab = program
    .command('lab')
    .description('the local stack as background processes on loopback (LAB_DIR, default .lab/)');
  lab
    .command('up')
    .description(
      'start Temporal, kube-apiserver, the mesh simulator, Prometheus and a worker; write .lab/env',
    )
    .action(async () => {
      exitCode = await (await loadLab()).labUp(io);
    });
  lab
    .command('down')
    .description('stop what lab up started (data stays)')
    .option('--purge', "also delete the lab's data: Temporal history, etcd, Prometheus, logs")
    .action(async (opts: { purge?: boolean }) => {
      exitCode = await (await loadLab()).labDown(io, { purge: opts.purge === true });
    });
  lab
    .command('status')
    .description('each component, its pid, whether it answers, its URL (exit 3 unless all are up)')
    .action(async () => {
      exitCode = await (await loadLab()).labStatus(io);
    });
  lab
    .command('errors')
    .description("set the mesh simulator's error rate for an image")
    .argument('<image>', 'e.g. argoproj/rollouts-demo:green')
    .argument('<rate>', 'a fraction (0.65) or a percentage (65%)')
    .action(async (image: string, rateArg: string) => {
      let rate: number;
      try {
        rate = parseRate(rateArg);
      } catch (err) {
        throw err instanceof RateError ? new UsageError(`lab errors: ${err.message}`) : err;
      }
      exitCode = await (await loadLab()).labErrors(io, image, rate);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`error: ${err.message}`);
      return 2;
    }
    const { ActionRejectedError, RolloutNotFoundError } = await import('./rollouts-client.js');
    if (err instanceof ActionRejectedError || err instanceof RolloutNotFoundError) {
      io.err(err.message);
      return 1;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
