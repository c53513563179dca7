// Argo Rollouts' own decision code (.tools/bin/argo-oracle, built by scripts/install-tools.d/
// argo-oracle.sh from tools/argo-oracle) for the differential tests: every case goes to one run of the
// oracle as a JSON line, and the answers come back in the same order.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toolsBin } from './paths.js';

/** ARGO_ORACLE: another build of it (e.g. one made from a worktree's tools/argo-oracle, not yet installed). */
export const oraclePath = process.env.ARGO_ORACLE || path.join(toolsBin, 'argo-oracle');

/** A measurement as Argo's providers hand it to utils/evaluate (see tools/argo-oracle/main.go). */
export type OracleResult =
  | { type: 'vector'; value: unknown[] }
  | { type: 'scalar'; value: unknown }
  | { type: 'json'; value: unknown }
  | { type: 'nil' };

export interface ConditionCase {
  op: 'condition';
  condition: string;
  result: OracleResult;
}

export interface OracleAnswer {
  verdict?: boolean;
  error?: string;
  canary?: number;
  stable?: number;
  metrics?: string[];
  args?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  dryRun?: Record<string, boolean>;
  retention?: Record<string, number>;
  /** replicaSetAffinity: GenerateReplicaSetAffinity, IfInjectedAntiAffinityRuleNeedsUpdate. */
  affinity?: unknown;
  needsUpdate?: boolean;
  /** podTemplateDefaults: the template after SetObjectDefaults_PodTemplate. */
  template?: Record<string, unknown>;
  /** podTemplateSchema: how Go decodes a PodTemplateSpec (tools/argo-oracle/pod-template.go). */
  schema?: Record<string, string>;
}

/** Runs the oracle once over all cases; rejects when it is missing, crashes or answers short. */
export async function askOracle(cases: readonly object[]): Promise<OracleAnswer[]> {
  if (!fs.existsSync(oraclePath)) {
    throw new Error(
      `${oraclePath} is missing: run scripts/install-tools.sh (or scripts/install-tools.d/argo-oracle.sh)`,
    );
  }
  const child = spawn(oraclePath, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.end(cases.map((item) => JSON.stringify(item)).join('\n') + '\n');
  const code = await exited;
  if (code !== 0) {
    throw new Error(`argo-oracle exited with ${String(code)}: ${Buffer.concat(err).toString()}`);
  }
  const lines = Buffer.concat(out)
    .toString()
    .split('\n')
    .filter((line) => line !== '');
  if (lines.length !== cases.length) {
    throw new Error(`argo-oracle answered ${lines.length} of ${cases.length} cases`);
  }
  return lines.map((line) => JSON.parse(line) as OracleAnswer);
}

/** Each template after Kubernetes v1.34.5's SetObjectDefaults_PodTemplate, or Go's error decoding it. */
export async function defaultPodTemplates(
  templates: readonly object[],
): Promise<{ template?: Record<string, unknown>; error?: string }[]> {
  const answers = await askOracle(templates.map((template) => ({ op: 'podTemplateDefaults', template })));
  return answers.map(({ template, error }) => (error !== undefined ? { error } : { template }));
}

/** Argo's PodTemplateEqualIgnoreHash(live, desired) for each pair; an oracle error fails the call. */
export async function podTemplatesEqual(
  pairs: readonly { live: object; desired: object }[],
): Promise<boolean[]> {
  const answers = await askOracle(
    pairs.map(({ live, desired }) => ({ op: 'podTemplateEqual', live, desired })),
  );
  return answers.map((answer, index) => {
    if (answer.verdict === undefined)
      throw new Error(`podTemplateEqual of pair ${index}: ${answer.error ?? 'no verdict'}`);
    return answer.verdict;
  });
}

/** Go's view of a PodTemplateSpec's JSON, per struct type: "field:kind ..." (see pod-template.go). */
export async function goPodTemplateSchema(): Promise<Record<string, string>> {
  const [answer] = await askOracle([{ op: 'podTemplateSchema' }]);
  if (answer?.schema === undefined) throw new Error(`podTemplateSchema: ${answer?.error ?? 'no schema'}`);
  return answer.schema;
}
