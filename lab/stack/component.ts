// What every lab component offers the supervisor (lab.ts): start it and wait until it answers, say
// whether it runs and answers, stop it.
import type { LabPaths } from './paths.js';
import type { ComponentName, LabUrls, PortKey, Ports } from './settings.js';

export interface LabContext {
  paths: LabPaths;
  ports: Ports;
  urls: LabUrls;
  /** The caller's environment (children get a cleaned copy, see childEnv). */
  env: NodeJS.ProcessEnv;
  /** Progress lines worth showing during a start (e.g. search attributes registered). */
  note: (text: string) => void;
}

export interface Health {
  /** Running and answering. */
  ok: boolean;
  /** "pid 123", or "etcd pid 1, kube-apiserver pid 2"; empty when nothing runs. */
  pids: string;
  /** Why not ok, when it is not. */
  detail?: string;
}

export interface Component {
  name: ComponentName;
  ports: PortKey[];
  /** Where it is, for people. */
  url: (ctx: LabContext) => string;
  /** What is missing to start it (a binary, the build), or undefined. */
  preflight: (ctx: LabContext) => string | undefined;
  /** Whether any of its processes runs (ours, by pid file). */
  running: (ctx: LabContext) => Promise<boolean>;
  health: (ctx: LabContext) => Promise<Health>;
  /**
   * Brings up the rest of a partly running instance (kube: etcd runs, kube-apiserver died); without it, a
   * running instance that does not answer is waited for, then reported.
   */
  resume?: (ctx: LabContext) => Promise<void>;
  /** Launches it and resolves once it answers; on failure stops what it launched and throws LabError. */
  start: (ctx: LabContext) => Promise<void>;
  /** Idempotent set-up on a running instance, after a start and when `up` finds it already running. */
  ensure?: (ctx: LabContext) => Promise<void>;
  /** Stops it; resolves to a line saying what it did, or undefined when nothing ran. */
  stop: (ctx: LabContext) => Promise<string | undefined>;
}
