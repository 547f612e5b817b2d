import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import { HotCounter, HotHistogram } from './series.js';

export const PROXY_ERROR_REASONS = ['connect_refused', 'timeout', 'reset', 'dns', 'tls', 'other'] as const;
export type ProxyErrorReason = (typeof PROXY_ERROR_REASONS)[number];
export type Direction = 'request' | 'response';

const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** The `method` label: the upper-case method, or `OTHER` for an unknown one. */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'OTHER';
}

/** `2xx` … `5xx` for a status code. */
export function statusClass(status: number): string {
  return `${Math.trunc(status / 100)}xx`;
}

/** prom-client default metrics that are gauges named `_total`. */
const GAUGES_NAMED_LIKE_COUNTERS = ['restaudit_nodejs_active_handles_total', 'restaudit_nodejs_active_requests_total', 'restaudit_nodejs_active_resources_total'];

export interface MetricsOptions {
  readonly version: string;
  /** Read at scrape time for `restaudit_memory_entries`. */
  readonly memoryEntries: () => number;
  /** Read at scrape time for `restaudit_inspection_sampled_out_total` (0 when absent). */
  readonly sampledOut?: () => number;
  /** Read at scrape time for `restaudit_log_lines_dropped_total` (0 when absent). */
  readonly logLinesDropped?: () => number;
  /** Collect prom-client's default process metrics (default true). */
  readonly processMetrics?: boolean;
  /** With a spec: documented operations exercised and not, read at scrape time for `restaudit_spec_operations`. */
  readonly specOperations?: () => { readonly seen: number; readonly unseen: number };
}

type CounterChild = ReturnType<Counter<string>['labels']>;

/**
 * restaudit's metrics, all in the registry handed in. The two that every exchange touches
 * (requests, upstream duration) are HotCounter/HotHistogram: a request costs a map lookup
 * and an increment, not a label hash. The rest are prom-client's own.
 */
export class AuditMetrics {
  private readonly requests: HotCounter;
  private readonly violations: Counter<'rule' | 'severity' | 'method' | 'route'>;
  private readonly upstreamDuration: HotHistogram;
  private readonly proxyErrors: Counter<'reason'>;
  private readonly truncated: Counter<'direction'>;
  private readonly overflow: Counter;
  private readonly violationChildren = new Map<string, CounterChild>();
  private readonly errorChildren = new Map<string, CounterChild>();
  private readonly truncatedChildren = new Map<string, CounterChild>();

  constructor(readonly registry: Registry, options: MetricsOptions) {
    const registers = [registry];
    this.requests = new HotCounter('restaudit_requests_total', 'Exchanges proxied, by method, route and the status the client received.', ['method', 'route', 'status'], registry);
    this.violations = new Counter({
      name: 'restaudit_violations_total',
      help: 'HTTP-semantics violations found, by rule, severity, method and route.',
      labelNames: ['rule', 'severity', 'method', 'route'],
      registers,
    });
    this.upstreamDuration = new HotHistogram(
      'restaudit_upstream_duration_seconds',
      'Time from the request reaching restaudit to the upstream response headers.',
      ['method', 'route', 'status_class'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registry,
    );
    this.proxyErrors = new Counter({
      name: 'restaudit_proxy_errors_total',
      help: 'Exchanges the upstream could not answer (502/504 to the client), by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.truncated = new Counter({
      name: 'restaudit_inspection_truncated_total',
      help: 'Bodies longer than inspect.maxBodyBytes: the rules saw only a prefix.',
      labelNames: ['direction'],
      registers,
    });
    this.overflow = new Counter({
      name: 'restaudit_route_overflow_total',
      help: 'Exchanges labelled route="__other__" because metrics.maxRoutes labels exist.',
      registers,
    });
    new Gauge({
      name: 'restaudit_build_info',
      help: 'restaudit build information (always 1).',
      labelNames: ['version', 'node_version'],
      registers,
      // Every worker says the same: aggregated across workers it stays 1.
      aggregator: 'first',
    }).set({ version: options.version, node_version: process.version }, 1);
    const memoryEntries = options.memoryEntries;
    new Gauge({
      name: 'restaudit_memory_entries',
      help: 'Entries held in cross-exchange memory.',
      registers,
      collect() {
        this.set(memoryEntries());
      },
    });
    countedAtScrape('restaudit_inspection_sampled_out_total', 'Large declared-JSON responses the JSON validity pass did not read (inspect.jsonSampling).', options.sampledOut, registers);
    countedAtScrape('restaudit_log_lines_dropped_total', 'Log lines dropped because standard output was not read while 8 MiB of lines waited for it.', options.logLinesDropped, registers);
    const specOperations = options.specOperations;
    if (specOperations !== undefined) {
      new Gauge({
        name: 'restaudit_spec_operations',
        help: 'Operations the spec documents, by whether traffic has exercised them since start.',
        labelNames: ['state'],
        registers,
        // Workers each count what they saw: the highest is the closest to the union.
        aggregator: 'max',
        collect() {
          const { seen, unseen } = specOperations();
          this.set({ state: 'seen' }, seen);
          this.set({ state: 'unseen' }, unseen);
        },
      });
    }
    // Known label values exist from the start, so rate() sees the first increment.
    for (const reason of PROXY_ERROR_REASONS) this.errorChild(reason).inc(0);
    this.truncatedChild('request').inc(0);
    this.truncatedChild('response').inc(0);
    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: registry, prefix: 'restaudit_' });
      // Gauges with a counter's suffix fail `promtool check metrics`; each is the sum of
      // its per-type gauge (restaudit_nodejs_active_handles{type=...}), which stays.
      for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
    }
  }

  /** One exchange answered (by the upstream, or by restaudit with 502/504). */
  exchange(method: string, route: string, status: number, upstreamSeconds: number | undefined): void {
    this.requests.bind(`${method} ${route} ${status}`, method, route, String(status)).value++;
    if (upstreamSeconds === undefined) return;
    const series = this.upstreamDuration.bind(`${method} ${route} ${Math.trunc(status / 100)}`, method, route, statusClass(status));
    this.upstreamDuration.observe(series, upstreamSeconds);
  }

  violation(rule: string, severity: string, method: string, route: string): void {
    const key = `${rule} ${severity} ${method} ${route}`;
    let child = this.violationChildren.get(key);
    if (child === undefined) {
      child = this.violations.labels(rule, severity, method, route);
      this.violationChildren.set(key, child);
    }
    child.inc();
  }

  proxyError(reason: ProxyErrorReason): void {
    this.errorChild(reason).inc();
  }

  inspectionTruncated(direction: Direction): void {
    this.truncatedChild(direction).inc();
  }

  routeOverflow(): void {
    this.overflow.inc();
  }

  private errorChild(reason: string): CounterChild {
    let child = this.errorChildren.get(reason);
    if (child === undefined) {
      child = this.proxyErrors.labels(reason);
      this.errorChildren.set(reason, child);
    }
    return child;
  }

  private truncatedChild(direction: string): CounterChild {
    let child = this.truncatedChildren.get(direction);
    if (child === undefined) {
      child = this.truncated.labels(direction);
      this.truncatedChildren.set(direction, child);
    }
    return child;
  }
}

/** A counter that follows a running total kept elsewhere, read at scrape time (0 without one). */
function countedAtScrape(name: string, help: string, total: (() => number) | undefined, registers: Registry[]): void {
  let counted = 0;
  new Counter({
    name,
    help,
    registers,
    collect() {
      const now = total?.() ?? 0;
      if (now > counted) this.inc(now - counted);
      counted = now;
    },
  });
}
