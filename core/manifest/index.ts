// The manifest model's public surface: load and validate Argo Rollouts manifests into core/types.ts.

export { loadManifests, type LoadOptions, type LoadResult } from './load.js';
export { attachTemplates, loadManifestFiles, type LoadedFiles, type ManifestFile } from './pipeline.js';
export { duplicateErrors, type ObjectSummary } from './duplicates.js';
export { formatPath, type ManifestError } from './errors.js';
export { normalizeRollout, DEFAULT_NAMESPACE } from './normalize.js';
export { ARGO_API_VERSION } from './argo-types.js';
export type {
  AnalysisTemplateKind,
  AnalysisTemplateManifest,
  DurationOrArg,
  HeaderManifest,
  IntOrArg,
  MetricManifest,
  MetricProviderManifest,
  PrometheusProviderManifest,
  RolloutManifest,
  TemplateArgumentManifest,
  WebProviderManifest,
} from './argo-types.js';
