// At apply time: give each Rollout the AnalysisTemplates it refers to (from the files applied with
// it), and try building every AnalysisRun it will start, so that a missing template or a required
// arg without a value is an error now, naming it, and not an abort later.
import type { AnalysisTemplateManifest } from '../manifest/argo-types.js';
import type { AnalysisTemplateRef, RolloutAnalysis, RolloutDefinition } from '../types.js';
import { AnalysisResolveError, resolveAnalysis } from './resolve.js';

function analysesOf(def: RolloutDefinition): { where: string; analysis: RolloutAnalysis }[] {
  const found: { where: string; analysis: RolloutAnalysis }[] = [];
  if (def.canary.analysis)
    found.push({ where: 'spec.strategy.canary.analysis', analysis: def.canary.analysis });
  def.canary.steps.forEach((step, i) => {
    if (step.kind === 'analysis')
      found.push({ where: `spec.strategy.canary.steps[${i}].analysis`, analysis: step });
  });
  return found;
}

const sameRef = (t: AnalysisTemplateManifest, ref: AnalysisTemplateRef, namespace: string) =>
  t.name === ref.templateName &&
  (ref.clusterScope
    ? t.kind === 'ClusterAnalysisTemplate'
    : t.kind === 'AnalysisTemplate' && t.namespace === namespace);

export interface TemplateKey {
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  /** '' for a ClusterAnalysisTemplate. */
  namespace: string;
  name: string;
}

/** The templates a Rollout refers to that are not among `available` (to look for in the cluster). */
export function missingTemplates(
  def: RolloutDefinition,
  available: AnalysisTemplateManifest[],
): TemplateKey[] {
  const missing: TemplateKey[] = [];
  for (const { analysis } of analysesOf(def))
    for (const ref of analysis.templates) {
      if (available.some((t) => sameRef(t, ref, def.namespace))) continue;
      const key: TemplateKey = ref.clusterScope
        ? { kind: 'ClusterAnalysisTemplate', namespace: '', name: ref.templateName }
        : { kind: 'AnalysisTemplate', namespace: def.namespace, name: ref.templateName };
      if (!missing.some((m) => m.kind === key.kind && m.namespace === key.namespace && m.name === key.name))
        missing.push(key);
    }
  return missing;
}

export function attachAnalysisTemplates(
  def: RolloutDefinition,
  available: AnalysisTemplateManifest[],
): { rollout: RolloutDefinition; errors: string[] } {
  const analyses = analysesOf(def);
  const used = available.filter((t) =>
    analyses.some(({ analysis }) => analysis.templates.some((ref) => sameRef(t, ref, def.namespace))),
  );
  const rollout: RolloutDefinition = used.length ? { ...def, analysisTemplates: used } : def;
  const errors: string[] = [];
  for (const { where, analysis } of analyses) {
    try {
      resolveAnalysis(analysis.templates, analysis.args, {
        rollout,
        templates: used,
        stableHash: 'stable-hash',
        canaryHash: 'canary-hash',
      });
    } catch (err) {
      if (!(err instanceof AnalysisResolveError)) throw err;
      errors.push(`Rollout ${def.namespace}/${def.name}: ${where}: ${err.message}`);
    }
  }
  return { rollout, errors };
}
