import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { createAdminServer } from './admin/admin-server.js';
import type { Exchange } from './capture/exchange.js';
import { splitHostPort } from './config/load.js';
import type { Config } from './config/schema.js';
import { ERROR_CODES, RestauditError } from './errors.js';
import type { ViolationBuffer } from './findings/violation-buffer.js';
import type { Logger } from './logging/logger.js';
import type { ExchangeMemory, Lesson } from './memory/exchange-memory.js';
import { createAuditPipeline } from './pipeline/audit-pipeline.js';
import { coalesceScrapes } from './metrics/scrape-coalescer.js';
import type { CompiledSpec } from './spec/compile-spec.js';
import type { SpecCoverage } from './spec/coverage.js';
import { createProxy, type ProxyHandle } from './proxy/audit-proxy.js';
import type { JudgementGate } from './proxy/judgement-gate.js';

/** How recently the upstream must have answered for /readyz to skip its probe. */
const READY_WINDOW_MS = 30_000;
/** How long in-flight exchanges get to finish on shutdown, by default. */
export const DEFAULT_GRACE_MS = 10_000;

export interface AuditProxyDeps {
  readonly logger: Logger;
  /** A private registry by default; tests hand in their own. */
  readonly registry?: Registry;
  /** Called with each completed exchange after the rules ran. */
  readonly onExchange?: (exchange: Exchange) => void;
  /** Collect prom-client's default process metrics (default true). */
  readonly processMetrics?: boolean;
  /** The clock of cross-exchange memory, in milliseconds (`performance.now` by default). */
  readonly now?: () => number;
  /** Passes on what other processes' memories need to learn (cluster workers). */
  readonly share?: (lesson: Lesson) => void;
  /** The compiled OpenAPI document (`--spec`), loaded once at start-up. */
  readonly spec?: CompiledSpec;
  /** Holds judgements until lessons from other processes are learned (cluster workers). */
  readonly gate?: JudgementGate;
}

/** The auditing proxy without its admin port: what each cluster worker runs. */
export interface AuditCore {
  readonly registry: Registry;
  readonly memory: ExchangeMemory;
  readonly violations: ViolationBuffer;
  /** With a spec: what traffic has exercised of it. */
  readonly coverage: SpecCoverage | undefined;
  /** Learns what another process's exchange taught (cluster workers). */
  learn(lesson: Lesson): void;
  /** Binds the proxy port; throws RA_ERR_LISTEN when it cannot be bound. */
  listen(): Promise<AddressInfo>;
  /** True once listening and the upstream answered recently (or answers a TCP probe). */
  ready(): Promise<boolean>;
  /**
   * Applies a re-read configuration to new exchanges; those in flight finish on the old one.
   * Returns the keys that changed but take effect only on a restart.
   */
  reload(config: Config & { target: string }): string[];
  /** Stops accepting, lets in-flight exchanges finish within `graceMs`, then closes. */
  close(graceMs?: number): Promise<void>;
}

export interface AuditProxy {
  readonly registry: Registry;
  readonly memory: ExchangeMemory;
  readonly violations: ViolationBuffer;
  /** Binds the proxy and admin ports; throws RA_ERR_LISTEN when one cannot be bound. */
  listen(): Promise<{ proxy: AddressInfo; admin: AddressInfo }>;
  /** See AuditCore.reload. */
  reload(config: Config & { target: string }): string[];
  /** Stops accepting, lets in-flight exchanges finish within `graceMs`, then closes. */
  close(graceMs?: number): Promise<void>;
}

/** Keys a running process cannot change: their new values wait for a restart. */
const RESTART_KEYS = ['listen', 'admin', 'workers', 'memory'] as const;

/** The keys among RESTART_KEYS whose values differ between two configurations. */
export function restartRequired(running: Config, next: Config): string[] {
  return RESTART_KEYS.filter((key) => JSON.stringify(running[key]) !== JSON.stringify(next[key]));
}

/**
 * Wires restaudit together: the audit pipeline (metrics, rules, memory, findings) and the
 * proxy that feeds it, each created once and handed what it needs. Everything traffic-fed
 * is bounded.
 */
export function createAuditCore(config: Config & { target: string }, deps: AuditProxyDeps): AuditCore {
  const { logger } = deps;
  let running = config;
  let pipeline = createAuditPipeline(config, { ...deps, targetHost: new URL(config.target).host });
  const { registry, memory, violations } = pipeline;
  let proxy = createProxy(config, { logger, pipeline, gate: deps.gate });
  /** Proxies a reload replaced, until their last exchange is over. */
  const retired = new Set<ProxyHandle>();
  const inFlight = (): number => [proxy, ...retired].reduce((sum, each) => sum + each.inFlight(), 0);
  const probe = createUpstreamProbe(new URL(config.target));
  let listening = false;

  function retire(old: ProxyHandle): void {
    retired.add(old);
    const timer = setInterval(() => {
      if (old.inFlight() > 0) return;
      clearInterval(timer);
      retired.delete(old);
      old.destroy();
    }, 100);
    timer.unref();
  }

  return {
    registry,
    memory,
    violations,
    coverage: pipeline.coverage,
    learn: (lesson) => pipeline.learn(lesson),
    reload(next) {
      const restart = restartRequired(running, next);
      pipeline = createAuditPipeline(next, { ...deps, targetHost: new URL(next.target).host, shared: pipeline });
      const old = proxy;
      proxy = createProxy(next, { logger, pipeline, gate: deps.gate, server: old.server });
      old.detach();
      retire(old);
      running = next;
      return restart;
    },
    async listen() {
      const address = await bind(proxy.server, config.listen, 'listen');
      listening = true;
      return address;
    },
    async ready() {
      if (!listening) return false;
      const last = proxy.lastUpstreamAnswer();
      if (last !== 0 && performance.now() - last < READY_WINDOW_MS) return true;
      return probe();
    },
    async close(graceMs = DEFAULT_GRACE_MS) {
      listening = false;
      const closed = closeServer(proxy.server);
      // Kept-alive clients take no further request here: each response from now on says
      // `Connection: close`, and connections are closed as they go idle.
      for (const each of [proxy, ...retired]) each.drain();
      proxy.server.closeIdleConnections();
      const deadline = performance.now() + graceMs;
      while (inFlight() > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        proxy.server.closeIdleConnections();
      }
      if (inFlight() > 0) logger.warn({ inFlight: inFlight(), graceMs }, 'grace period over, closing connections');
      proxy.server.closeAllConnections();
      for (const each of [proxy, ...retired]) each.closeUpgrades();
      await closed;
      for (const each of [proxy, ...retired]) each.destroy();
    },
  };
}

/** The auditing proxy and its admin port (`/metrics`, `/healthz`, `/readyz`, `/violations`, the live page). */
export function createAuditProxy(config: Config & { target: string }, deps: AuditProxyDeps): AuditProxy {
  const core = createAuditCore(config, deps);
  const { registry, violations } = core;
  const admin = createAdminServer({
    metrics: coalesceScrapes(async () => ({ contentType: registry.contentType, text: await registry.metrics() })),
    violations: (limit) => Promise.resolve(violations.recent(limit)),
    violationsJson: (limit) => violations.recentJson(limit),
    ready: () => core.ready(),
    specCoverage: core.coverage === undefined ? undefined : () => Promise.resolve(core.coverage?.report()),
    events: (onViolation) => violations.subscribe(onViolation),
    customRules: config.custom,
    token: config.adminToken,
  });

  return {
    registry,
    memory: core.memory,
    violations,
    reload: (next) => core.reload(next),
    async listen() {
      const proxyAddress = await core.listen();
      let adminAddress: AddressInfo;
      try {
        adminAddress = await bind(admin, config.admin, 'admin');
      } catch (error) {
        await core.close(0);
        throw error;
      }
      return { proxy: proxyAddress, admin: adminAddress };
    },
    async close(graceMs = DEFAULT_GRACE_MS) {
      const adminClosed = closeServer(admin);
      admin.closeIdleConnections();
      await core.close(graceMs);
      admin.closeAllConnections();
      await adminClosed;
    },
  };
}

export function bind(server: Server, address: string, key: string): Promise<AddressInfo> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new RestauditError(ERROR_CODES.listen, [`${key}: cannot listen on ${address}: ${error.code ?? error.message}`]));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

/** A TCP connect to the upstream, at most once every 2 s, answered within 1 s. */
export function createUpstreamProbe(target: URL): () => Promise<boolean> {
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  let last = { at: -Infinity, ok: false };
  return () => {
    if (performance.now() - last.at < 2000) return Promise.resolve(last.ok);
    return new Promise((resolve) => {
      const socket = net.connect({ host, port });
      const done = (ok: boolean): void => {
        socket.destroy();
        last = { at: performance.now(), ok };
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  };
}
