// What every part of the rollout's control loop works with: its state (with the pending requests and
// the current work), the cluster writes under the write lock, and the background AnalysisRun. One
// object, handed to the steps (canary.ts), the waits (pause.ts, availability.ts) and the endings.
import type { RolloutDefinition } from '../core/types.js';
import { BackgroundAnalysis } from './background.js';
import { ClusterWriter } from './cluster.js';
import { Lock } from './lock.js';
import type { PendingRequests } from './pending-requests.js';
import type { RolloutState } from './state.js';

export class RolloutContext {
  readonly lock = new Lock();
  readonly cluster: ClusterWriter;
  readonly background: BackgroundAnalysis;

  constructor(readonly state: RolloutState) {
    this.cluster = new ClusterWriter(state, this.lock);
    this.background = new BackgroundAnalysis(state.requests);
  }

  /** The desired definition, read anew at each use: a deploy of the same template may change it. */
  get def(): RolloutDefinition {
    return this.state.definition;
  }

  get requests(): PendingRequests {
    return this.state.requests;
  }
}
