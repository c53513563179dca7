// What the page and /api/state show of the traffic: requests and errors per image and per destination
// over the last few seconds (one bucket per second), and the most recent requests one by one.

/** One synthetic request as the page draws it. */
export interface RequestEvent {
  /** 1, 2, 3… in the order sent; `GET /api/state?since=N` returns those after N. */
  seq: number;
  /** The VirtualService host it was sent to. */
  host: string;
  /** Destination service (`<svc>.<ns>.svc.cluster.local`); absent when no route had weight. */
  service?: string;
  /** The image that answered; absent when nothing could (503). */
  image?: string;
  code: number;
}

export interface Counts {
  requests: number;
  errors: number;
}

interface Bucket {
  second: number;
  images: Map<string, Counts>;
  services: Map<string, Counts>;
}

const isError = (code: number) => code >= 500;

function add(map: Map<string, Counts>, key: string, error: boolean): void {
  let counts = map.get(key);
  if (!counts) map.set(key, (counts = { requests: 0, errors: 0 }));
  counts.requests++;
  if (error) counts.errors++;
}

export class TrafficStats {
  private readonly buckets: Bucket[] = [];
  private readonly ring: RequestEvent[] = [];
  private seq = 0;

  constructor(
    /** How far back the counts go. */
    readonly windowSeconds = 10,
    /** How many recent requests are kept one by one. */
    readonly recentSize = 500,
    private readonly now: () => number = Date.now,
  ) {}

  /** The seq of the last request recorded (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  add(event: Omit<RequestEvent, 'seq'>): RequestEvent {
    const recorded = { ...event, seq: ++this.seq };
    this.ring.push(recorded);
    if (this.ring.length > this.recentSize) this.ring.splice(0, this.ring.length - this.recentSize);
    const bucket = this.bucket();
    const error = isError(event.code);
    if (event.image !== undefined) add(bucket.images, event.image, error);
    if (event.service !== undefined) add(bucket.services, event.service, error);
    return recorded;
  }

  private bucket(): Bucket {
    const second = Math.floor(this.now() / 1000);
    const last = this.buckets[this.buckets.length - 1];
    if (last?.second === second) return last;
    const bucket: Bucket = { second, images: new Map(), services: new Map() };
    this.buckets.push(bucket);
    this.prune(second);
    return bucket;
  }

  private prune(second: number): void {
    while ((this.buckets[0]?.second ?? second) <= second - this.windowSeconds) this.buckets.shift();
  }

  private sum(pick: (b: Bucket) => Map<string, Counts>): Map<string, Counts> {
    this.prune(Math.floor(this.now() / 1000));
    const total = new Map<string, Counts>();
    for (const bucket of this.buckets)
      for (const [key, counts] of pick(bucket)) {
        const sum = total.get(key) ?? { requests: 0, errors: 0 };
        sum.requests += counts.requests;
        sum.errors += counts.errors;
        total.set(key, sum);
      }
    return total;
  }

  /** Requests and errors per image over the window. */
  byImage(): Map<string, Counts> {
    return this.sum((b) => b.images);
  }

  /** Requests and errors per destination service over the window. */
  byService(): Map<string, Counts> {
    return this.sum((b) => b.services);
  }

  /** Recent requests after `since` (all kept ones when absent), the newest `limit` of them. */
  recent(since = 0, limit = this.recentSize): RequestEvent[] {
    const after = this.ring.filter((e) => e.seq > since);
    return after.slice(Math.max(0, after.length - limit));
  }
}
