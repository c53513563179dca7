// <lab>/lab.json: the ports and components of the last `lab up`, so that `status` and `down` look where
// the lab actually runs even when the environment has changed since.
import fs from 'node:fs';
import type { LabPaths } from './paths.js';
import { COMPONENTS, PORT_SPECS, type ComponentName, type Ports } from './settings.js';

export interface LabState {
  ports: Partial<Ports>;
  components?: ComponentName[];
}

export function readState(paths: LabPaths): LabState {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(paths.stateFile, 'utf8'));
  } catch {
    return { ports: {} }; // none yet, or unreadable: fall back to the environment and the defaults
  }
  const state = (raw ?? {}) as { ports?: Record<string, unknown>; components?: unknown };
  const ports: Partial<Ports> = {};
  for (const spec of PORT_SPECS) {
    const port = state.ports?.[spec.key];
    if (typeof port === 'number' && Number.isInteger(port)) ports[spec.key] = port;
  }
  const components = Array.isArray(state.components)
    ? COMPONENTS.filter((c) => (state.components as unknown[]).includes(c))
    : undefined;
  return { ports, ...(components ? { components } : {}) };
}

export function writeState(paths: LabPaths, state: LabState): void {
  fs.mkdirSync(paths.dir, { recursive: true });
  fs.writeFileSync(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}
