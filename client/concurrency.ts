// Many calls to Temporal at once, but not all of them: `apply` of a file of many Rollouts, the status
// queries of `list -o json`. Results and reports keep the order of the items.

/** Calls in flight at once: a thousand rollouts in seconds, without a thousand calls at a time. */
export const CALLS_AT_ONCE = 32;

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Runs `work` on every item, at most `limit` at a time, and hands each outcome to `report` in the
 * items' order, as soon as it and every one before it are done. When `report` returns false no more
 * work starts; the work already started finishes and is reported.
 */
export async function forEachInOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  report: (item: T, outcome: Outcome<R>, index: number) => boolean | void,
): Promise<void> {
  const outcomes: (Outcome<R> | undefined)[] = new Array<Outcome<R> | undefined>(items.length);
  let next = 0;
  let reported = 0;
  let stopped = false;
  const flush = () => {
    for (let outcome = outcomes[reported]; outcome !== undefined; outcome = outcomes[reported]) {
      outcomes[reported] = undefined; // reported: let it go
      const index = reported++;
      if (report(items[index] as T, outcome, index) === false) stopped = true;
    }
  };
  const lane = async () => {
    while (!stopped && next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, value: await work(items[index] as T, index) };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/**
 * `work` on every item, at most `limit` at a time, the results in the items' order. The first failure
 * stops new work; once the work already started is done it is thrown.
 */
export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let failure: { error: unknown } | undefined;
  await forEachInOrder(items, limit, work, (_item, outcome) => {
    if (!outcome.ok) {
      failure ??= { error: outcome.error };
      return false;
    }
    results.push(outcome.value);
    return true;
  });
  if (failure) throw failure.error;
  return results;
}
