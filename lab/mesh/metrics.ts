// Counters and histograms with labels, and their Prometheus text exposition (format 0.0.4), as Envoy's
// /stats/prometheus serves them. The registry keeps numbers only; the formatting functions are pure.

import { checkMetricNames, escapeHelp, formatValue, sampleLine } from '../../core/prometheus-text.js';

export type Labels = Record<string, string>;

/** One line of the exposition: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: [string, string][];
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  samples: Sample[];
}

export { escapeHelp, escapeLabelValue, formatValue } from '../../core/prometheus-text.js';

export function formatSample(sample: Sample): string {
  return sampleLine(sample.name, sample.labels, sample.value);
}

/** The whole exposition: HELP, TYPE and samples of each family, ending in a newline. */
export function formatExposition(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(formatSample(sample));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

abstract class Family<Series> {
  protected readonly series = new Map<string, { values: string[]; data: Series }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    checkMetricNames(name, labelNames);
  }

  protected abstract empty(): Series;

  protected at(labels: Labels): Series {
    const extra = Object.keys(labels).filter((l) => !this.labelNames.includes(l));
    if (extra.length > 0) throw new Error(`${this.name} has no label ${extra.join(', ')}`);
    const values = this.labelNames.map((l) => labels[l] ?? '');
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, data: this.empty() };
      this.series.set(key, entry);
    }
    return entry.data;
  }

  /** Series in a stable order (by label values), with their label pairs. */
  protected sorted(): { labels: [string, string][]; data: Series }[] {
    return [...this.series.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, { values, data }]) => ({
        labels: this.labelNames.map((name, i): [string, string] => [name, values[i] ?? '']),
        data,
      }));
  }

  abstract collect(): MetricFamily;
}

export class Counter extends Family<{ value: number }> {
  protected empty() {
    return { value: 0 };
  }

  inc(labels: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up (got ${by})`);
    this.at(labels).value += by;
  }

  /** The value of one series (0 when it was never incremented). */
  get(labels: Labels): number {
    const key = JSON.stringify(this.labelNames.map((l) => labels[l] ?? ''));
    return this.series.get(key)?.data.value ?? 0;
  }

  collect(): MetricFamily {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      samples: this.sorted().map(({ labels, data }) => ({ name: this.name, labels, value: data.value })),
    };
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
    super(name, help, labelNames);
    const sorted = [...new Set(buckets)].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
    this.buckets = sorted;
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

  collect(): MetricFamily {
    const samples: Sample[] = [];
    for (const { labels, data } of this.sorted()) {
      let cumulative = 0;
      const bounds = [...this.buckets.map(formatValue), '+Inf'];
      bounds.forEach((le, i) => {
        cumulative += data.counts[i] ?? 0;
        samples.push({ name: `${this.name}_bucket`, labels: [...labels, ['le', le]], value: cumulative });
      });
      samples.push({ name: `${this.name}_sum`, labels, value: data.sum });
      samples.push({ name: `${this.name}_count`, labels, value: data.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', samples };
  }
}

/** The families one endpoint serves, in the order they were made. */
export class MetricsRegistry {
  private readonly families: Family<unknown>[] = [];

  counter(name: string, help: string, labelNames: readonly string[]): Counter {
    const counter = new Counter(name, help, labelNames);
    this.add(counter);
    return counter;
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    const histogram = new Histogram(name, help, labelNames, buckets);
    this.add(histogram);
    return histogram;
  }

  private add(family: Family<unknown>): void {
    if (this.families.some((f) => f.name === family.name))
      throw new Error(`${family.name} is already registered`);
    this.families.push(family);
  }

  render(): string {
    return formatExposition(this.families.map((f) => f.collect()));
  }
}
