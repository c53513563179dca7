// The rollout in a few lines of markdown, for the Temporal UI's "Current Details" of the workflow:
// what a person opening the page wants first (phase, why, step, weights, images).
import type { RolloutStatus } from '../core/status.js';

export function currentDetails(status: RolloutStatus): string {
  const lines = [`**${status.phase}**${status.message ? `: ${status.message}` : ''}`];
  const steps = status.steps.length;
  if (status.currentStepIndex !== null && steps > 0) {
    const step = status.steps[status.currentStepIndex];
    lines.push(
      // Argo's count, as `rollouts get` prints it: the index of the current step (steps done so far).
      `step ${status.currentStepIndex}/${steps}${step ? ` (${step.text})` : ''}, ` +
        `canary weight ${status.weights.canary}%`,
    );
  }
  const images = (revision: RolloutStatus['stableRevision']) =>
    revision ? Object.values(revision.images).join(', ') : undefined;
  const stable = images(status.stableRevision);
  const canary = images(status.canaryRevision);
  if (stable) lines.push(`stable: ${stable} (revision ${status.stableRevision?.revision})`);
  if (canary) lines.push(`canary: ${canary} (revision ${status.canaryRevision?.revision})`);
  return lines.join('\n\n');
}
