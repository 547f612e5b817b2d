import type { Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;
/** Three label names: what both hot metrics have. */
type LabelNames = readonly [string, string, string];

function labelsOf(names: LabelNames, a: string, b: string, c: string): Labels {
  return { [names[0]]: a, [names[1]]: b, [names[2]]: c };
}

/** What prom-client's registry asks each metric for at scrape time. */
interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Array<{ labels: Labels; value: number; metricName?: string }>;
}

/**
 * A counter for the hot path: each label set is a plain object bound once, so counting an
 * exchange is `series.value++`, with no label hashing or validation per call. It plugs into
 * a prom-client Registry, which renders it (and aggregates it across cluster workers) like
 * its own counters.
 */
export class HotCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: LabelNames,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series for `key` (unique per label values), labelled `a`, `b`, `c` when created. */
  bind(key: string, a: string, b: string, c: string): { value: number } {
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: labelsOf(this.labelNames, a, b, c), value: 0 };
      this.series.set(key, entry);
    }
    return entry;
  }

  get(): Promise<MetricSnapshot> {
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values: [...this.series.values()].map(({ labels, value }) => ({ labels, value })) });
  }

  reset(): void {
    this.series.clear();
  }
}

/** One label set of a HotHistogram. */
export interface HistogramSeries {
  readonly labels: Labels;
  /** Observations per bucket (not cumulative; the last is +Inf). */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** A histogram for the hot path, on the same terms as HotCounter. */
export class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, HistogramSeries>();
  private readonly bounds: Float64Array;
  private readonly leLabels: readonly string[];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: LabelNames,
    bounds: readonly number[],
    registry: Registry,
  ) {
    this.bounds = Float64Array.from([...bounds].sort((a, b) => a - b));
    this.leLabels = [...this.bounds].map(String).concat('+Inf');
    registry.registerMetric(this as never);
  }

  bind(key: string, a: string, b: string, c: string): HistogramSeries {
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: labelsOf(this.labelNames, a, b, c), buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    return entry;
  }

  observe(series: HistogramSeries, value: number): void {
    let i = 0;
    const bounds = this.bounds;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (series.buckets)[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  get(): Promise<MetricSnapshot> {
    const values: MetricSnapshot['values'] = [];
    for (const { labels, buckets, sum, count } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < buckets.length; i++) {
        cumulative += buckets[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: this.leLabels[i] as string }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values });
  }

  reset(): void {
    this.series.clear();
  }
}
