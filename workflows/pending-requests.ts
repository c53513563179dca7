// What the rollout's messages asked for that the control loop has not acted on yet, in one object
// that requests.ts writes (once its checks pass) and the steps read wherever they can stop. Promote
// and abort live only in this run: the loop acts on them before it continues as new. The user's pause
// is carried (CarriedState.userPaused), since it outlives a revision. Retry has nothing pending: it
// clears the carried abort at once, and the loop sees the work.
import type { CarriedState, Revision } from './state.js';

/** What stops the running step. */
export type Interrupt = { kind: 'superseded' } | { kind: 'abort'; message: string } | { kind: 'promoteFull' };

export class PendingRequests {
  /** promote: on to the next step ('step'), or past every remaining step ('full'). */
  promote?: 'step' | 'full';
  /** abort: the message the rollback carries (asked by a person, or by a failed background analysis). */
  abort?: string;

  constructor(private readonly carried: () => CarriedState) {}

  /** pause (and resume, and a promote of a paused rollout): hold before the next step. */
  get paused(): boolean {
    return this.carried().userPaused;
  }

  set paused(paused: boolean) {
    this.carried().userPaused = paused;
  }

  /** Promote and abort are spent: the revision was promoted, rolled back or abandoned. */
  clear(): void {
    this.promote = undefined;
    this.abort = undefined;
  }

  /** What stops a step of `rev` now: a newer revision, an abort, or promote --full. */
  interruptFor(rev: Revision): Interrupt | undefined {
    if (this.promote === 'full' && this.carried().desired.hash === rev.hash && this.abort === undefined)
      return { kind: 'promoteFull' };
    return this.urgentInterruptFor(rev);
  }

  /** What must stop even a wait for pods: a newer revision or an abort (promote --full can wait). */
  urgentInterruptFor(rev: Revision): Interrupt | undefined {
    if (this.carried().desired.hash !== rev.hash) return { kind: 'superseded' };
    if (this.abort !== undefined) return { kind: 'abort', message: this.abort };
    return undefined;
  }
}
