import { Registry } from 'prom-client';
import { MAX_LIMIT } from '../admin/admin-server.js';
import { InspectionBudget } from '../capture/inspection-budget.js';
import { completeExchange, type CapturedExchange, type Exchange } from '../capture/exchange.js';
import type { Config } from '../config/schema.js';
import { FindingReporter } from '../findings/reporter.js';
import { ViolationBuffer } from '../findings/violation-buffer.js';
import { droppedLogLines, type Logger } from '../logging/logger.js';
import { ExchangeMemory, type Lesson } from '../memory/exchange-memory.js';
import { AuditMetrics, methodLabel, type ProxyErrorReason } from '../metrics/metrics.js';
import { RouteResolver, type RouteMatch } from '../routes/route-resolver.js';
import { Auditor } from '../rules/auditor.js';
import { ALL_RULES } from '../rules/all-rules.js';
import { RuleEngine } from '../rules/engine.js';
import type { CompiledSpec } from '../spec/compile-spec.js';
import { SpecCoverage } from '../spec/coverage.js';
import type { Finding } from '../rules/types.js';
import { VERSION } from '../version.js';
import { credentialDetector } from './credentials.js';

export interface AuditPipelineDeps {
  readonly logger: Logger;
  /** A private registry by default; tests hand in their own. */
  readonly registry?: Registry;
  /** Collect prom-client's default process metrics (default true). */
  readonly processMetrics?: boolean;
  /** The clock of cross-exchange memory, in milliseconds (`performance.now` by default). */
  readonly now?: () => number;
  /** `host:port` of the upstream: a `Location` there is this origin too. */
  readonly targetHost: string;
  /** Passes on what other processes' memories need to learn (cluster workers). */
  readonly share?: (lesson: Lesson) => void;
  /** Called with each judged exchange after the rules ran (tests). */
  readonly onExchange?: (exchange: Exchange) => void;
  /**
   * The state a reloaded pipeline keeps from the one it replaces: counters, memory, recent
   * violations, the spec's coverage (the spec is read once) and the JSON sampling counts.
   */
  readonly shared?: Pick<AuditPipeline, 'registry' | 'metrics' | 'memory' | 'violations' | 'coverage' | 'budget'>;
  /** The compiled OpenAPI document (`--spec`), loaded once at start-up. */
  readonly spec?: CompiledSpec;
}

/**
 * What the pipeline decided at an exchange's response head: its route and credentials, and
 * the cross-exchange findings (judged against memory before memory learned from it).
 */
export interface AtHead {
  readonly route: RouteMatch;
  readonly hasCredentials: boolean;
  readonly findings: readonly Finding[];
  /** True when the request was complete at the head and its body's type was learned then. */
  readonly learnedBody: boolean;
}

/** An exchange as the pipeline completed it, and what the rules found in it. */
export interface Judged {
  readonly exchange: Exchange;
  readonly findings: readonly Finding[];
}

/** An exchange that reached no verdict: the upstream failed, or the client went away. */
export interface Unjudged {
  readonly method: string;
  readonly path: string;
  /** The status the client received (502/504 for a proxy fault, 499 for a client abort). */
  readonly status: number;
  readonly upstreamSeconds: number | undefined;
  /** The proxy fault, counted in `restaudit_proxy_errors_total`; none for a client abort. */
  readonly reason?: ProxyErrorReason;
}

/**
 * Everything that happens to an exchange once a source has captured it, whatever the
 * source (the live proxy, a HAR file, a web-server log): its route and credentials,
 * the rules and cross-exchange memory, then metrics, the log and `/violations`.
 * A source turns what it has into a CapturedExchange and calls `judge`; nothing else.
 */
export interface AuditPipeline {
  readonly registry: Registry;
  readonly metrics: AuditMetrics;
  readonly memory: ExchangeMemory;
  readonly violations: ViolationBuffer;
  /** With a spec: what traffic has exercised of it. */
  readonly coverage: SpecCoverage | undefined;
  /** Which large JSON bodies the validity pass reads (`inspect.jsonSampling`). */
  readonly budget: InspectionBudget;
  /**
   * The response head of a live exchange has arrived: the cross-exchange rules judge it,
   * then memory learns from it (and other processes are told), before the head goes on.
   * @param requestComplete whether the request body has arrived whole
   * @param announced whether `announce` told other processes already
   */
  head(captured: CapturedExchange, requestComplete: boolean, announced: boolean): AtHead;
  /** Tells other processes what an exchange taught, now, although its judgement here must wait. */
  announce(captured: CapturedExchange, requestComplete: boolean): void;
  /**
   * Counts, judges, remembers and reports one completed exchange.
   * @param atHead what `head` decided, for a live exchange; a recorded one is judged whole
   * @param lateToCome true when bytes after a bodiless response may still be judged (`late`)
   */
  judge(captured: CapturedExchange, upstreamSeconds: number | undefined, atHead?: AtHead, lateToCome?: boolean): Judged;
  /** Judges the bytes that came after a bodiless response once it was judged, and reports them. */
  late(judged: Judged, bytesAfterBodilessResponse: number): void;
  /** Counts an exchange that cannot be judged (a proxy fault, a client abort). */
  unjudged(exchange: Unjudged): void;
  /** Counts a proxy fault that belongs to no exchange (a WebSocket upgrade). */
  proxyError(reason: ProxyErrorReason): void;
  /** Learns what another process's exchange taught (cluster workers). */
  learn(lesson: Lesson): void;
}

/** Creates the pipeline's parts once (metrics, routes, rules, memory, reporter) and wires them. */
export function createAuditPipeline(config: Config, deps: AuditPipelineDeps): AuditPipeline {
  const { logger } = deps;
  const { shared } = deps;
  const registry = shared?.registry ?? deps.registry ?? new Registry();
  const memory = shared?.memory ?? new ExchangeMemory({ ...config.memory, now: deps.now });
  const { spec } = deps;
  const coverage = shared !== undefined ? shared.coverage : spec === undefined ? undefined : new SpecCoverage(spec.file, spec.operations);
  const specOperations = coverage === undefined ? undefined : () => ({ seen: coverage.seenCount, unseen: coverage.documentedCount - coverage.seenCount });
  const budget = shared?.budget.reconfigure(config.inspect.jsonSampling) ?? new InspectionBudget(config.inspect.jsonSampling);
  const metrics = shared?.metrics ?? new AuditMetrics(registry, { version: VERSION, memoryEntries: () => memory.size, processMetrics: deps.processMetrics, specOperations, sampledOut: () => budget.sampledOut, logLinesDropped: () => droppedLogLines(logger) });
  const routes = new RouteResolver(config.routes, config.metrics.maxRoutes, () => metrics.routeOverflow(), spec?.paths, spec?.operations.map((operation) => operation.template));
  const engine = new RuleEngine(config, memory, (rule, error) => logger.error({ rule, err: (error as Error).message }, 'rule failed'), ALL_RULES, spec !== undefined);
  const violations = shared?.violations ?? new ViolationBuffer(MAX_LIMIT);
  const reporter = new FindingReporter(metrics, logger, violations);
  const auditor = new Auditor(engine, memory, deps.targetHost, decodedLimit(config.inspect.maxBodyBytes), deps.share, coverage, budget);
  const hasCredentials = credentialDetector(config.credentials.headers, config.credentials.cookies);
  const onExchange = deps.onExchange;

  return {
    registry,
    metrics,
    memory,
    violations,
    coverage,
    budget,
    head(captured, requestComplete, announced) {
      const route = routes.resolve(captured.path);
      const credentials = hasCredentials(captured.requestHeaders);
      const findings = auditor.head(completeExchange(captured, route.template, credentials), requestComplete, announced);
      return { route, hasCredentials: credentials, findings, learnedBody: requestComplete };
    },
    announce(captured, requestComplete) {
      auditor.announce(completeExchange(captured, routes.resolve(captured.path).template, hasCredentials(captured.requestHeaders)), requestComplete);
    },
    judge(captured, upstreamSeconds, atHead, lateToCome = false) {
      const route = atHead?.route ?? routes.resolve(captured.path);
      const method = methodLabel(captured.method);
      metrics.exchange(method, route.label, captured.status, upstreamSeconds);
      if (captured.requestBody.truncated) metrics.inspectionTruncated('request');
      if (captured.responseBody.truncated) metrics.inspectionTruncated('response');
      const exchange = completeExchange(captured, route.template, atHead?.hasCredentials ?? captured.credentials ?? hasCredentials(captured.requestHeaders));
      const findings = atHead === undefined ? auditor.audit(exchange, route.spec) : auditor.end(exchange, atHead.findings, atHead.learnedBody, route.spec);
      if (findings.length > 0) reporter.report(exchange, findings, method, route.label);
      if (!lateToCome) onExchange?.(exchange);
      return { exchange, findings };
    },
    late(judged, bytes) {
      let exchange = judged.exchange;
      if (bytes > exchange.bytesAfterBodilessResponse) {
        exchange = { ...exchange, bytesAfterBodilessResponse: bytes };
        const findings = auditor.late(exchange, judged.findings);
        if (findings.length > 0) reporter.report(exchange, findings, methodLabel(exchange.method), routes.resolve(exchange.path).label);
      }
      onExchange?.(exchange);
    },
    unjudged({ method, path, status, upstreamSeconds, reason }) {
      if (reason !== undefined) metrics.proxyError(reason);
      metrics.exchange(methodLabel(method), routes.resolve(path).label, status, upstreamSeconds);
    },
    proxyError(reason) {
      metrics.proxyError(reason);
    },
    learn(lesson) {
      memory.learn(lesson);
    },
  };
}

/** How far a body copy may be decompressed for the rules (a bound against zip bombs). */
export function decodedLimit(maxBodyBytes: number): number {
  return Math.max(1 << 20, maxBodyBytes * 16);
}
