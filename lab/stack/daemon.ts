// A component that is one long-running process of ours (Temporal, the mesh simulator, Prometheus, the
// worker): launched detached, waited for until it answers, found again by its pid file, stopped.
import type { Component, Health, LabContext } from './component.js';
import {
  ExitedEarlyError,
  launch,
  LabError,
  pidOf,
  stopProcess,
  waitReady,
  type Launched,
  type LaunchSpec,
} from './process.js';
import { seconds, type ComponentName, type PortKey } from './settings.js';

export interface DaemonDefinition {
  name: ComponentName;
  ports: PortKey[];
  url: (ctx: LabContext) => string;
  preflight: (ctx: LabContext) => string | undefined;
  /** Configuration files and directories it needs, written before each start. */
  prepare?: (ctx: LabContext) => void;
  spec: (ctx: LabContext) => Omit<LaunchSpec, 'name'>;
  /** Undefined when it answers; otherwise what is wrong. */
  check: (ctx: LabContext) => Promise<string | undefined>;
  /** Readiness right after a start; the health check by default. */
  ready?: (ctx: LabContext, launched: Launched) => Promise<boolean>;
  /** What "ready" means, for the timeout message ("answering on http://…"). */
  readyMeans: (ctx: LabContext) => string;
  readyTimeoutMs: number;
  /** Idempotent work once ready, also on an instance found running (e.g. registering search attributes). */
  afterReady?: (ctx: LabContext) => Promise<void>;
  /** How many times a start that exits before it is ready is tried again (0 by default). */
  retriesOnEarlyExit?: number;
}

export function daemon(def: DaemonDefinition): Component {
  async function startOnce(ctx: LabContext): Promise<void> {
    def.prepare?.(ctx);
    const launched = await launch(ctx.paths, { name: def.name, ...def.spec(ctx) });
    try {
      const ready = def.ready ?? (async () => (await def.check(ctx)) === undefined);
      await waitReady(
        ctx.paths,
        def.name,
        launched,
        () => ready(ctx, launched),
        def.readyMeans(ctx),
        def.readyTimeoutMs,
      );
      await def.afterReady?.(ctx);
    } catch (err) {
      await stopProcess(ctx.paths, def.name, 5000).catch(() => undefined);
      throw err instanceof LabError ? err : new LabError(`${def.name}: ${(err as Error).message}`);
    }
  }

  return {
    name: def.name,
    ports: def.ports,
    url: def.url,
    preflight: def.preflight,
    ...(def.afterReady ? { ensure: def.afterReady } : {}),
    running: (ctx) => Promise.resolve(pidOf(ctx.paths, def.name) !== undefined),

    async health(ctx): Promise<Health> {
      const pid = pidOf(ctx.paths, def.name);
      if (pid === undefined) return { ok: false, pids: '', detail: 'not running' };
      const problem = await def.check(ctx);
      return { ok: problem === undefined, pids: `pid ${pid}`, ...(problem ? { detail: problem } : {}) };
    },

    async start(ctx): Promise<void> {
      for (let retries = def.retriesOnEarlyExit ?? 0; ; retries--) {
        try {
          return await startOnce(ctx);
        } catch (err) {
          if (!(err instanceof ExitedEarlyError) || retries <= 0) throw err;
          ctx.note(`${def.name} exited while starting; starting it again (${err.message.split('\n')[0]})`);
        }
      }
    },

    async stop(ctx): Promise<string | undefined> {
      const started = Date.now();
      const stopped = await stopProcess(ctx.paths, def.name);
      if (!stopped) return undefined;
      return `stopped pid ${stopped.pid} in ${seconds(Date.now() - started)}${stopped.killed ? ' (killed: it did not exit on SIGTERM)' : ''}`;
    },
  };
}
