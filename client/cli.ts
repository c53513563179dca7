// The `rollouts` command, shaped like `kubectl argo rollouts`. `run` takes the arguments and the
// output streams and returns the exit code: 0 done, 1 refused or failed (with a one-line reason),
// 2 bad usage.
import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { attachAnalysisTemplates, missingTemplates } from '../core/analysis/attach.js';
import type { AnalysisTemplateManifest } from '../core/manifest/argo-types.js';
import { loadManifests, type ManifestError } from '../core/manifest/index.js';
import type { RolloutDefinition } from '../core/types.js';
import { connectionOptions, temporalConfigFromEnv, ConfigError } from '../config/temporal.js';
import { fetchAnalysisTemplates, kubeconfigPath } from './cluster-templates.js';
import { lintFiles } from './lint.js';
import { renderList, renderStatus } from './render.js';
import { ActionRejectedError, RolloutNotFoundError, RolloutsClient } from './rollouts-client.js';
import { labDown, labErrors, labStatus, labUp } from '../lab/stack/lab.js';
import { parseRate, RateError } from '../lab/stack/rate.js';

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
  const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: '5s' }).catch(
    (err: unknown) => {
      throw new Error(`cannot reach Temporal at ${config.address}: ${(err as Error).message}`);
    },
  );
  const client = new Client({ connection, namespace: config.namespace });
  return { rollouts: new RolloutsClient(client, config.taskQueue), close: () => connection.close() };
}

function defaultNamespace(): string {
  return process.env.ROLLOUTS_NAMESPACE || 'default';
}

async function readManifests(
  files: string[],
  namespace: string | undefined,
): Promise<{ rollouts: RolloutDefinition[]; errors: string[] }> {
  const rollouts: RolloutDefinition[] = [];
  const templates: AnalysisTemplateManifest[] = [];
  const errors: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `-f ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    const loaded = loadManifests(text, file, { defaultNamespace: namespace ?? defaultNamespace() });
    rollouts.push(...loaded.rollouts);
    templates.push(...loaded.analysisTemplates);
    errors.push(...loaded.errors.map((e: ManifestError) => e.message));
  }
  // Templates the files do not hold may be in the cluster (Argo's CRDs, or the lab's).
  const missing = rollouts.flatMap((def) => missingTemplates(def, templates));
  const kubeconfig = kubeconfigPath();
  if (missing.length && kubeconfig) {
    const fetched = await fetchAnalysisTemplates(missing, kubeconfig);
    templates.push(...fetched.templates);
    errors.push(...fetched.errors);
  }
  // Each Rollout carries the AnalysisTemplates it uses; a missing one or a missing arg fails here.
  const attached = rollouts.map((def) => attachAnalysisTemplates(def, templates));
  errors.push(...attached.flatMap((a) => a.errors));
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
  return rest[0];
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
      const { rollouts: defs, errors } = await readManifests(opts.filename, opts.namespace);
      if (errors.length) {
        errors.forEach((e) => io.err(e));
        io.err(`nothing applied: ${errors.length} error(s)`);
        exitCode = 1;
        return;
      }
      if (!defs.length) throw new UsageError(`apply: no Rollout in ${opts.filename.join(', ')}`);
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
      const { container, image } = parseImageArg(arg);
      await withClient(async (r) =>
        io.out((await r.setImage(opts.namespace ?? defaultNamespace(), name, container, image)).message),
      );
    });

  program
    .command('promote')
    .description('end the current pause, or with --full skip every remaining step')
    .argument('<name>')
    .option('--full', 'skip every remaining step and analysis')
    .addOption(ns())
    .action(async (name: string, opts: { full?: boolean; namespace?: string }) => {
      await withClient(async (r) =>
        io.out((await r.promote(opts.namespace ?? defaultNamespace(), name, opts.full === true)).message),
      );
    });

  program
    .command('abort')
    .description('send all traffic back to stable and stop the update')
    .argument('<name>')
    .option('--reason <text>', 'recorded in the status message')
    .addOption(ns())
    .action(async (name: string, opts: { reason?: string; namespace?: string }) => {
      await withClient(async (r) =>
        io.out((await r.abort(opts.namespace ?? defaultNamespace(), name, opts.reason)).message),
      );
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
        await withClient(async (r) =>
          io.out((await r[verb](opts.namespace ?? defaultNamespace(), name)).message),
        );
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
        const namespace = opts.namespace ?? defaultNamespace();
        const render = (s: Parameters<typeof renderStatus>[0]) =>
          opts.output === 'json' ? JSON.stringify(s, null, 2) : renderStatus(s);
        const interval = Number(opts.interval);
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
        _what: string | undefined,
        opts: { namespace?: string; allNamespaces?: boolean; output: string },
      ) => {
        await withClient(async (r) => {
          const statuses = await r.list(
            opts.allNamespaces ? undefined : (opts.namespace ?? defaultNamespace()),
          );
          io.out(opts.output === 'json' ? JSON.stringify(statuses, null, 2) : renderList(statuses));
        });
      },
    );

  program
    .command('lint')
    .description('validate manifests without applying them')
    .requiredOption('-f, --filename <file...>', 'manifest file(s)')
    .action((opts: { filename: string[] }) => {
      const missing = opts.filename.find((f) => !fs.existsSync(f));
      if (missing) throw new UsageError(`-f ${missing}: no such file`);
      const { errors, objects } = lintFiles(opts.filename, (p) => fs.readFileSync(p, 'utf8'));
      errors.forEach((e) => io.err(e.message));
      if (errors.length) {
        io.err(`${errors.length} error(s) in ${opts.filename.join(', ')}`);
        exitCode = 1;
      } else io.out(`${objects.length} object(s) valid in ${opts.filename.join(', ')}`);
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
      exitCode = await labUp(io);
    });
  lab
    .command('down')
    .description('stop what lab up started (data stays)')
    .option('--purge', "also delete the lab's data: Temporal history, etcd, Prometheus, logs")
    .action(async (opts: { purge?: boolean }) => {
      exitCode = await labDown(io, { purge: opts.purge === true });
    });
  lab
    .command('status')
    .description('each component, its pid, whether it answers, its URL (exit 3 unless all are up)')
    .action(async () => {
      exitCode = await labStatus(io);
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
      exitCode = await labErrors(io, image, rate);
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
    if (err instanceof ActionRejectedError || err instanceof RolloutNotFoundError) {
      io.err(err.message);
      return 1;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
