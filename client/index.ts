// The package's main entry: the typed rollouts client for scripts ("starting workflows from a client
// script"), the same one the `rollouts` command uses. Connect from the TEMPORAL_* settings, then apply,
// set image, promote, abort, retry, pause, resume, read the status and wait for a phase:
//
//   const { rollouts, close } = await connectRollouts();
//   await rollouts.applyFiles(['rollout.yaml']);
//   await rollouts.waitForPhase('rollouts-demo', 'myapp', 'Healthy');
//
// examples/promote-script.ts is a whole script.

export { connectRollouts, type RolloutsConnection } from './connect.js';
export {
  ActionRejectedError,
  RolloutNotFoundError,
  RolloutsClient,
  type AppliedRollout,
  type ApplyResult,
} from './rollouts-client.js';
export {
  loadRolloutFiles,
  readRolloutFiles,
  ManifestFilesError,
  UnreadableFileError,
  type RolloutFiles,
  type RolloutFilesOptions,
} from './manifest-files.js';
export { waitForStatus, WaitTimeoutError, type StatusWanted, type WaitOptions } from './wait.js';
export { lintFiles, type LintResult } from './lint.js';
export { ConfigError, temporalConfigFromEnv, type TemporalConfig } from '../config/temporal.js';
export type { ActionResult } from '../workflows/messages.js';
export type { RolloutPhase, RolloutStatus } from '../core/status.js';
export type { RolloutDefinition } from '../core/types.js';
