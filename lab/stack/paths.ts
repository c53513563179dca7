// Where the lab lives: the repository (found from this module, so the command works from any directory),
// the pinned tools in .tools/bin, and the lab directory (LAB_DIR, default <repo>/.lab) with its logs,
// pid files, data and the environment file that `lab up` writes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/lab/stack/paths.js → the repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const toolsBin = path.join(repoRoot, '.tools', 'bin');
export const kubeScript = path.join(repoRoot, 'scripts', 'kube-control-plane.sh');
export const workerMain = path.join(repoRoot, 'dist', 'worker', 'main.js');
export const meshMain = path.join(repoRoot, 'dist', 'lab', 'mesh', 'main.js');

export interface LabPaths {
  /** Absolute. */
  dir: string;
  logs: string;
  /** Shell-sourceable KUBECONFIG, TEMPORAL_ADDRESS, … (`lab up` writes it). */
  envFile: string;
  /** Ports and components of the last `lab up`, so status and down find what runs. */
  stateFile: string;
  lockFile: string;
  temporalDb: string;
  kubeDir: string;
  kubeconfig: string;
  prometheusDir: string;
  /** The walkthrough's copies of examples/fast, when this lab needs them changed (lab/walkthrough.ts). */
  walkthroughDir: string;
}

export function labPaths(env: NodeJS.ProcessEnv = process.env): LabPaths {
  const dir = path.resolve(env.LAB_DIR || path.join(repoRoot, '.lab'));
  const kubeDir = path.join(dir, 'kube');
  return {
    dir,
    logs: path.join(dir, 'logs'),
    envFile: path.join(dir, 'env'),
    stateFile: path.join(dir, 'lab.json'),
    lockFile: path.join(dir, '.lock'),
    temporalDb: path.join(dir, 'temporal.db'),
    kubeDir,
    kubeconfig: path.join(kubeDir, 'kubeconfig'),
    prometheusDir: path.join(dir, 'prometheus'),
    walkthroughDir: path.join(dir, 'walkthrough'),
  };
}

export function logFile(paths: LabPaths, name: string): string {
  return path.join(paths.logs, `${name}.log`);
}

export function pidFile(paths: LabPaths, name: string): string {
  return path.join(paths.dir, `${name}.pid`);
}
