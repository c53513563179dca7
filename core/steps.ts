// Human text for canary steps, shared by the status query, the CLI tree and activity summaries.
import { formatDuration } from './duration.js';
import type { CanaryStep } from './types.js';

export function describeStep(step: CanaryStep): string {
  switch (step.kind) {
    case 'setWeight':
      return `setWeight: ${step.weight}`;
    case 'pause':
      return step.durationSeconds === undefined
        ? 'pause: until promoted'
        : `pause: ${formatDuration(step.durationSeconds)}`;
    case 'setCanaryScale':
      if (step.replicas !== undefined) return `setCanaryScale: ${step.replicas} replicas`;
      if (step.weight !== undefined) return `setCanaryScale: ${step.weight}%`;
      return 'setCanaryScale: match traffic weight';
    case 'analysis':
      return `analysis: ${step.templates.map((t) => t.templateName).join(', ')}`;
  }
}
