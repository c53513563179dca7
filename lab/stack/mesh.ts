// The mesh simulator (dist/lab/mesh/main.js, built from lab/mesh/): stands in for kubelet and Envoy,
// serves Envoy-style metrics for Prometheus at /stats/prometheus, its state at /api/state and takes error
// rates per image at /api/errors. Configured by MESH_* variables; MESH_NAMESPACES, MESH_RATE and
// MESH_POD_START_SECONDS pass through from the caller's environment.
import fs from 'node:fs';
import { daemon } from './daemon.js';
import { meshMain, repoRoot } from './paths.js';
import { httpOk } from './probe.js';
import { childEnv } from './process.js';
import { HOST } from './settings.js';

const PASSED_THROUGH = ['MESH_NAMESPACES', 'MESH_RATE', 'MESH_POD_START_SECONDS'];

export const mesh = daemon({
  name: 'mesh',
  ports: ['mesh'],
  url: (ctx) => ctx.urls.mesh,
  preflight: () =>
    fs.existsSync(meshMain)
      ? undefined
      : `${meshMain} is missing: build it (npm run build); without lab/mesh/ yet, ` +
        'leave the mesh simulator out with LAB_COMPONENTS=temporal,kube,prometheus,worker',
  spec: (ctx) => ({
    command: process.execPath,
    args: [meshMain],
    env: childEnv(ctx.env, {
      ...Object.fromEntries(
        PASSED_THROUGH.filter((name) => ctx.env[name] !== undefined).map((name) => [
          name,
          ctx.env[name] as string,
        ]),
      ),
      KUBECONFIG: ctx.paths.kubeconfig,
      MESH_PORT: String(ctx.ports.mesh),
      MESH_HOST: HOST,
    }),
    cwd: repoRoot,
  }),
  check: async (ctx) =>
    (await httpOk(`${ctx.urls.mesh}/api/state`)) ? undefined : `${ctx.urls.mesh}/api/state does not answer`,
  readyMeans: (ctx) => `answering on ${ctx.urls.mesh}/api/state`,
  readyTimeoutMs: 30_000,
});
