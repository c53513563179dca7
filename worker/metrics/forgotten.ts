// Workflows whose gauges were taken away (their rollout ended, a run beyond the history limits). A query
// of such a closed workflow replays it, and the replay would report it again: replayed reports of these
// are ignored, a live one is not (it can only come from a workflow that runs). Bounded: the oldest go.
export class Forgotten {
  private readonly ids = new Set<string>();

  constructor(private readonly limit = 10_000) {}

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    for (const oldest of this.ids) {
      if (this.ids.size <= this.limit) break;
      this.ids.delete(oldest);
    }
  }

  /** Whether a report of `id` is to be ignored; a live one takes `id` off the list. */
  ignores(id: string, replaying: boolean): boolean {
    if (!this.ids.has(id)) return false;
    if (replaying) return true;
    this.ids.delete(id);
    return false;
  }
}
