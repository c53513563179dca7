// The workflows the worker registers (bundled from this file).
export { rolloutWorkflow } from './rollout.js';
