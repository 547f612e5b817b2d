import { Registry } from 'prom-client';
import { MAX_LIMIT } from '../admin/admin-server.js';
import { completeExchange, type CapturedExchange, type Exchange } from '../capture/exchange.js';
import type { Config } from '../config/schema.js';
import { FindingReporter } from '../findings/reporter.js';
import { ViolationBuffer } from '../findings/violation-buffer.js';
import type { Logger } from '../logging/logger.js';
import { ExchangeMemory, type Lesson } from '../memory/exchange-memory.js';
import { AuditMetrics, methodLabel, type ProxyErrorReason } from '../metrics/metrics.js';
import { RouteResolver } from '../routes/route-resolver.js';
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
  /** The compiled OpenAPI document (`--spec`), loaded once at start-up. */
  readonly spec?: CompiledSpec;
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
  /** Counts, judges, remembers and reports one completed exchange. */
  judge(captured: CapturedExchange, upstreamSeconds: number | undefined): Judged;
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
  const registry = deps.registry ?? new Registry();
  const memory = new ExchangeMemory({ ...config.memory, now: deps.now });
  const { spec } = deps;
  const coverage = spec === undefined ? undefined : new SpecCoverage(spec.file, spec.operations);
  const specOperations = coverage === undefined ? undefined : () => ({ seen: coverage.seenCount, unseen: coverage.documentedCount - coverage.seenCount });
  const metrics = new AuditMetrics(registry, { version: VERSION, memoryEntries: () => memory.size, processMetrics: deps.processMetrics, specOperations });
  const routes = new RouteResolver(config.routes, config.metrics.maxRoutes, () => metrics.routeOverflow(), spec?.paths);
  const engine = new RuleEngine(config, memory, (rule, error) => logger.error({ rule, err: (error as Error).message }, 'rule failed'), ALL_RULES, spec !== undefined);
  const violations = new ViolationBuffer(MAX_LIMIT);
  const reporter = new FindingReporter(metrics, logger, violations);
  const auditor = new Auditor(engine, memory, deps.targetHost, decodedLimit(config.inspect.maxBodyBytes), deps.share, coverage);
  const hasCredentials = credentialDetector(config.credentials.headers, config.credentials.cookies);
  const onExchange = deps.onExchange;

  return {
    registry,
    metrics,
    memory,
    violations,
    coverage,
    judge(captured, upstreamSeconds) {
      const route = routes.resolve(captured.path);
      const method = methodLabel(captured.method);
      metrics.exchange(method, route.label, captured.status, upstreamSeconds);
      if (captured.requestBody.truncated) metrics.inspectionTruncated('request');
      if (captured.responseBody.truncated) metrics.inspectionTruncated('response');
      const exchange = completeExchange(captured, route.template, hasCredentials(captured.requestHeaders));
      const findings = auditor.audit(exchange, route.spec);
      if (findings.length > 0) reporter.report(exchange, findings, method, route.label);
      onExchange?.(exchange);
      return { exchange, findings };
    },
    unjudged({ method, path, status, upstreamSeconds, reason }) {
      if (reason !== undefined) metrics.proxyError(reason);
      metrics.exchange(methodLabel(method), routes.resolve(path).label, status, upstreamSeconds);
    },
    proxyError(reason) {
      metrics.proxyError(reason);
    },
    learn({ exchange, location, bodyType }) {
      memory.record(exchange, location, bodyType);
    },
  };
}

/** How far a body copy may be decompressed for the rules (a bound against zip bombs). */
export function decodedLimit(maxBodyBytes: number): number {
  return Math.max(1 << 20, maxBodyBytes * 16);
}
