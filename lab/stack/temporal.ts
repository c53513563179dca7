// The Temporal dev server (.tools/bin/temporal, `server start-dev`): gRPC and Web UI on loopback, state in
// a SQLite file in the lab directory so rollouts survive a restart, and our search attributes registered.
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { daemon } from './daemon.js';
import { repoRoot, toolsBin } from './paths.js';
import { httpOk, tcpOpen } from './probe.js';
import { childEnv } from './process.js';
import { HOST, TEMPORAL_NAMESPACE } from './settings.js';

const binary = path.join(toolsBin, 'temporal');

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD (the proto enum's number). */
const KEYWORD = 2;

/** The search attributes rollouts are listed by (all Keyword). */
export const SEARCH_ATTRIBUTES = [
  'RolloutName',
  'RolloutNamespace',
  'RolloutPhase',
  'RevisionImage',
] as const;

async function withConnection<T>(address: string, work: (c: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: '2s' });
  try {
    return await connection.withDeadline(Date.now() + 3000, () => work(connection));
  } finally {
    await connection.close();
  }
}

/**
 * Registers whichever of our search attributes the namespace lacks; returns their names. `start-dev
 * --search-attribute` would only apply to a new database, and this also works on a server that runs.
 */
export async function ensureSearchAttributes(address: string): Promise<string[]> {
  return withConnection(address, async (connection) => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: TEMPORAL_NAMESPACE,
    });
    const missing = SEARCH_ATTRIBUTES.filter((name) => !(customAttributes && name in customAttributes));
    if (missing.length)
      await connection.operatorService.addSearchAttributes({
        namespace: TEMPORAL_NAMESPACE,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
      });
    return missing;
  });
}

export const temporal = daemon({
  name: 'temporal',
  ports: ['temporal', 'temporalUi'],
  url: (ctx) => `${ctx.urls.temporalAddress} (gRPC), ${ctx.urls.temporalUi} (Web UI)`,
  preflight: () => (fs.existsSync(binary) ? undefined : `${binary} is missing: run scripts/install-tools.sh`),
  prepare: (ctx) => fs.mkdirSync(ctx.paths.dir, { recursive: true }),
  spec: (ctx) => ({
    command: binary,
    args: [
      'server',
      'start-dev',
      '--db-filename',
      ctx.paths.temporalDb,
      '--ip',
      HOST,
      '--port',
      String(ctx.ports.temporal),
      '--ui-port',
      String(ctx.ports.temporalUi),
      // No internet here, and no need for the UI's news feed anyway.
      '--ui-disable-news-fetch',
    ],
    env: childEnv(ctx.env, {}),
    cwd: repoRoot,
  }),
  async check(ctx) {
    if (!(await tcpOpen(ctx.ports.temporal))) return `nothing answers gRPC on ${ctx.urls.temporalAddress}`;
    try {
      await withConnection(ctx.urls.temporalAddress, (c) =>
        c.workflowService.describeNamespace({ namespace: TEMPORAL_NAMESPACE }),
      );
    } catch (err) {
      return `gRPC on ${ctx.urls.temporalAddress}: ${(err as Error).message}`;
    }
    if (!(await httpOk(`${ctx.urls.temporalUi}/`)))
      return `the Web UI does not answer on ${ctx.urls.temporalUi}`;
    return undefined;
  },
  readyMeans: (ctx) => `serving namespace ${TEMPORAL_NAMESPACE} on ${ctx.urls.temporalAddress}`,
  readyTimeoutMs: 30_000,
  // The dev server picks its HTTP API and internal ports itself: free when it looks, they can be taken
  // by the time it listens (another lab starting beside it), and it then panics at start. Once more.
  retriesOnEarlyExit: 1,
  async afterReady(ctx) {
    const added = await ensureSearchAttributes(ctx.urls.temporalAddress);
    if (added.length) ctx.note(`registered search attributes ${added.join(', ')} (Keyword)`);
  },
});
