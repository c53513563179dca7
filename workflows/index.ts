// The workflows the worker registers (bundled from this file).
export { rolloutWorkflow } from './rollout.js';
export { analysisRunWorkflow } from './analysis-run.js';
