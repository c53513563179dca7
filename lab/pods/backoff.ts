// Writes that failed for a reason other than a conflict (a 409 only means "list again") are not tried
// again at every pass: each further failure doubles the wait, from twice the poll interval up to 30 s.
export class Backoff {
  private readonly held = new Map<string, { failures: number; until: number }>();

  constructor(private readonly baseMs: number) {}

  /** Whether `id` may be tried at `now`. */
  allows(id: string, now: number): boolean {
    return (this.held.get(id)?.until ?? -Infinity) <= now;
  }

  succeeded(id: string): void {
    this.held.delete(id);
  }

  failed(id: string, now: number): void {
    const failures = (this.held.get(id)?.failures ?? 0) + 1;
    this.held.set(id, { failures, until: now + Math.min(this.baseMs * 2 ** failures, 30_000) });
  }

  /** Forgets what has not failed for a minute. */
  prune(now: number): void {
    for (const [id, { until }] of this.held) if (until < now - 60_000) this.held.delete(id);
  }
}
