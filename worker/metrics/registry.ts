// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (0.0.4). It keeps numbers only; what each metric means is in worker/metrics/catalog.ts.

import { checkMetricNames, escapeHelp, formatValue, sampleLine } from '../../core/prometheus-text.js';

export type Labels = Readonly<Record<string, string>>;

type MetricType = 'counter' | 'gauge' | 'histogram';

abstract class Family<Series> {
  private readonly series = new Map<string, { values: string[]; data: Series }>();

  constructor(
    readonly type: MetricType,
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    checkMetricNames(name, labelNames);
  }

  protected abstract empty(): Series;

  private key(labels: Labels): { key: string; values: string[] } {
    const extra = Object.keys(labels).filter((l) => !this.labelNames.includes(l));
    if (extra.length > 0) throw new Error(`${this.name} has no label ${extra.join(', ')}`);
    const values = this.labelNames.map((l) => labels[l] ?? '');
    return { key: JSON.stringify(values), values };
  }

  protected at(labels: Labels): Series {
    const { key, values } = this.key(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, data: this.empty() };
      this.series.set(key, entry);
    }
    return entry.data;
  }

  protected find(labels: Labels): Series | undefined {
    return this.series.get(this.key(labels).key)?.data;
  }

  /** Forgets one series. */
  remove(labels: Labels): void {
    this.series.delete(this.key(labels).key);
  }

  /** Forgets every series whose labels include all of `match` (Argo's DeletePartialMatch). */
  removeMatching(match: Labels): void {
    const wanted = Object.entries(match).map(
      ([label, value]) => [this.labelNames.indexOf(label), value] as const,
    );
    for (const [key, { values }] of this.series)
      if (wanted.every(([i, value]) => i >= 0 && values[i] === value)) this.series.delete(key);
  }

  protected abstract lines(labels: [string, string][], data: Series): string[];

  render(): string[] {
    const sorted = [...this.series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
      ...sorted.flatMap(([, { values, data }]) =>
        this.lines(
          this.labelNames.map((label, i): [string, string] => [label, values[i] ?? '']),
          data,
        ),
      ),
    ];
  }
}

export class Counter extends Family<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super('counter', name, help, labelNames);
  }

  protected empty() {
    return { value: 0 };
  }

  inc(labels: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up (got ${by})`);
    this.at(labels).value += by;
  }

  /** One series' value; 0 when it was never incremented. */
  get(labels: Labels): number {
    return this.find(labels)?.value ?? 0;
  }

  protected lines(labels: [string, string][], data: { value: number }): string[] {
    return [sampleLine(this.name, labels, data.value)];
  }
}

export class Gauge extends Family<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super('gauge', name, help, labelNames);
  }

  protected empty() {
    return { value: 0 };
  }

  set(labels: Labels, value: number): void {
    this.at(labels).value = value;
  }

  /** One series' value; undefined when it is not there. */
  get(labels: Labels): number | undefined {
    return this.find(labels)?.value;
  }

  protected lines(labels: [string, string][], data: { value: number }): string[] {
    return [sampleLine(this.name, labels, data.value)];
  }
}

interface HistogramSeries {
  /** Observations per bucket (not cumulative); one more than there are bounds, for +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<HistogramSeries> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super('histogram', name, help, labelNames);
    this.buckets = [...new Set(buckets)].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
  }

  protected empty(): HistogramSeries {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    const series = this.at(labels);
    let index = this.buckets.findIndex((bound) => value <= bound);
    if (index < 0) index = this.buckets.length;
    series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** How many observations one series has; 0 when none. */
  count(labels: Labels): number {
    return this.find(labels)?.count ?? 0;
  }

  protected lines(labels: [string, string][], data: HistogramSeries): string[] {
    let cumulative = 0;
    const bounds = [...this.buckets.map(formatValue), '+Inf'];
    return [
      ...bounds.map((le, i) => {
        cumulative += data.counts[i] ?? 0;
        return sampleLine(`${this.name}_bucket`, [...labels, ['le', le]], cumulative);
      }),
      sampleLine(`${this.name}_sum`, labels, data.sum),
      sampleLine(`${this.name}_count`, labels, data.count),
    ];
  }
}

/** The families one endpoint serves, in the order they were made. */
export class Registry {
  private readonly families: Family<unknown>[] = [];

  counter(name: string, help: string, labelNames: readonly string[]): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[]): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  private add<F extends Family<unknown>>(family: F): F {
    if (this.families.some((f) => f.name === family.name))
      throw new Error(`${family.name} is already registered`);
    this.families.push(family);
    return family;
  }

  /** The exposition: HELP, TYPE and the samples of every family (a family without series too). */
  render(): string {
    return `${this.families.flatMap((f) => f.render()).join('\n')}\n`;
  }
}
