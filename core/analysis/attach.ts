// At apply time: give each Rollout the AnalysisTemplates it refers to (from the files applied with
// it, or the cluster), normalized (template.ts), and try building every AnalysisRun it will start, so
// that a missing template or a required arg without a value is an error now, naming it, and not an
// abort later. The definition check (core/definition-check.ts) asks the same of a carried definition.
import type { AnalysisTemplateManifest } from '../manifest/argo-types.js';
import type { AnalysisTemplateRef, RolloutAnalysis, RolloutDefinition } from '../types.js';
import { AnalysisResolveError, resolveAnalysis } from './resolve.js';
import { normalizeTemplate } from './template.js';
import type { AnalysisTemplate, AnalysisTemplateKind, LegacyAnalysisTemplate } from './types.js';

/** Which template: the key both a manifest and a carried template have. */
export interface TemplateKey {
  kind: AnalysisTemplateKind;
  /** '' for a ClusterAnalysisTemplate. */
  namespace: string;
  name: string;
}

/** Where an analysis sits, under `spec.strategy.canary` (e.g. `analysis`, `steps[2].analysis`). */
function analysesOf(def: RolloutDefinition): { at: string; analysis: RolloutAnalysis }[] {
  const found: { at: string; analysis: RolloutAnalysis }[] = [];
  if (def.canary.analysis) found.push({ at: 'analysis', analysis: def.canary.analysis });
  def.canary.steps.forEach((step, i) => {
    if (step.kind === 'analysis') found.push({ at: `steps[${i}].analysis`, analysis: step });
  });
  return found;
}

const sameRef = (t: TemplateKey, ref: AnalysisTemplateRef, namespace: string) =>
  t.name === ref.templateName &&
  (ref.clusterScope
    ? t.kind === 'ClusterAnalysisTemplate'
    : t.kind === 'AnalysisTemplate' && t.namespace === namespace);

/** A template that may include others: a manifest (`spec.templates`) or a carried template. */
type Nesting = TemplateKey & {
  spec?: { templates?: AnalysisTemplateRef[] };
  templates?: AnalysisTemplateRef[];
};

/**
 * Every template a Rollout uses, those its templates include too (a namespaced one in the Rollout's
 * namespace, as Argo looks it up), split into those `available` holds and those it does not (to look
 * for in the cluster). Each once; a cycle is only walked round once (resolving it reports it).
 */
function walkTemplates<T extends Nesting>(
  def: RolloutDefinition,
  available: readonly T[],
): { used: T[]; missing: TemplateKey[] } {
  const used: T[] = [];
  const missing: TemplateKey[] = [];
  const visit = (refs: readonly AnalysisTemplateRef[]) => {
    for (const ref of refs) {
      const found = available.find((t) => sameRef(t, ref, def.namespace));
      if (found) {
        if (used.includes(found)) continue;
        used.push(found);
        visit(found.templates ?? found.spec?.templates ?? []);
        continue;
      }
      const key: TemplateKey = ref.clusterScope
        ? { kind: 'ClusterAnalysisTemplate', namespace: '', name: ref.templateName }
        : { kind: 'AnalysisTemplate', namespace: def.namespace, name: ref.templateName };
      if (!missing.some((m) => m.kind === key.kind && m.namespace === key.namespace && m.name === key.name))
        missing.push(key);
    }
  };
  for (const { analysis } of analysesOf(def)) visit(analysis.templates);
  return { used, missing };
}

/** The templates a Rollout uses (nested ones too) that are not among `available` (to look for in the cluster). */
export function missingTemplates(def: RolloutDefinition, available: readonly Nesting[]): TemplateKey[] {
  return walkTemplates(def, available).missing;
}

/**
 * Why an AnalysisRun of `def` could not be built from `templates`: `at` is where its analysis sits
 * under the canary strategy (`analysis`, `steps[2].analysis`), `message` says what is wrong.
 */
export function analysisProblems(
  def: RolloutDefinition,
  templates: readonly (AnalysisTemplate | LegacyAnalysisTemplate)[],
): { at: string; message: string }[] {
  const problems: { at: string; message: string }[] = [];
  for (const { at, analysis } of analysesOf(def)) {
    try {
      resolveAnalysis(
        analysis.templates,
        analysis.args,
        { rollout: def, templates, stableHash: 'stable-hash', canaryHash: 'canary-hash' },
        analysis.rules,
      );
    } catch (err) {
      if (!(err instanceof AnalysisResolveError)) throw err;
      problems.push({ at, message: err.message });
    }
  }
  return problems;
}

/** The Rollout with the templates it uses, normalized, and what apply must refuse (one line each). */
export function attachAnalysisTemplates(
  def: RolloutDefinition,
  available: readonly AnalysisTemplateManifest[],
): { rollout: RolloutDefinition; errors: string[] } {
  // In the order `available` holds them, as before nesting; the nested ones with them.
  const reached = walkTemplates(def, available).used;
  const used = available.filter((t) => reached.includes(t)).map(normalizeTemplate);
  const rollout: RolloutDefinition = used.length ? { ...def, analysisTemplates: used } : def;
  const errors = analysisProblems(rollout, used).map(
    ({ at, message }) => `Rollout ${def.namespace}/${def.name}: spec.strategy.canary.${at}: ${message}`,
  );
  return { rollout, errors };
}
