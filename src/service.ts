import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createAdminServer } from './admin/admin-server.js';
import type { Exchange } from './capture/exchange.js';
import { splitHostPort } from './config/load.js';
import type { Config } from './config/schema.js';
import { ERROR_CODES, RestauditError } from './errors.js';
import { FindingReporter } from './findings/reporter.js';
import { ViolationBuffer } from './findings/violation-buffer.js';
import type { Logger } from './logging/logger.js';
import { ExchangeMemory } from './memory/exchange-memory.js';
import { AuditMetrics } from './metrics/metrics.js';
import { createProxy } from './proxy/audit-proxy.js';
import { RouteResolver } from './routes/route-resolver.js';
import { Auditor } from './rules/auditor.js';
import { RuleEngine } from './rules/engine.js';
import { VERSION } from './version.js';

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
}

export interface AuditProxy {
  readonly registry: Registry;
  readonly memory: ExchangeMemory;
  readonly violations: ViolationBuffer;
  /** Binds the proxy and admin ports; throws RA_ERR_LISTEN when one cannot be bound. */
  listen(): Promise<{ proxy: AddressInfo; admin: AddressInfo }>;
  /** Stops accepting, lets in-flight exchanges finish within `graceMs`, then closes. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Wires restaudit together: metrics, rules, findings and the proxy, each created once and
 * handed what it needs. Everything traffic-fed is bounded.
 */
export function createAuditProxy(config: Config & { target: string }, deps: AuditProxyDeps): AuditProxy {
  const { logger } = deps;
  const registry = deps.registry ?? new Registry();
  const memory = new ExchangeMemory({ ...config.memory, now: deps.now });
  const metrics = new AuditMetrics(registry, { version: VERSION, memoryEntries: () => memory.size, processMetrics: deps.processMetrics });
  const routes = new RouteResolver(config.routes, config.metrics.maxRoutes, () => metrics.routeOverflow());
  const engine = new RuleEngine(config, memory, (rule, error) => logger.error({ rule, err: (error as Error).message }, 'rule failed'));
  const violations = new ViolationBuffer(1000);
  const reporter = new FindingReporter(metrics, logger, violations);
  const auditor = new Auditor(engine, memory, new URL(config.target).host, decodedLimit(config.inspect.maxBodyBytes));
  const proxy = createProxy(config, { logger, metrics, routes, auditor, reporter, onExchange: deps.onExchange });
  let listening = false;
  const target = new URL(config.target);
  const probe = createUpstreamProbe(target);

  const admin = createAdminServer({
    registry,
    violations,
    ready: async () => {
      if (!listening) return false;
      const last = proxy.lastUpstreamAnswer();
      if (last !== 0 && performance.now() - last < READY_WINDOW_MS) return true;
      return probe();
    },
  });

  return {
    registry,
    memory,
    violations,
    async listen() {
      const proxyAddress = await bind(proxy.server, config.listen, 'listen');
      let adminAddress: AddressInfo;
      try {
        adminAddress = await bind(admin, config.admin, 'admin');
      } catch (error) {
        proxy.server.close();
        throw error;
      }
      listening = true;
      return { proxy: proxyAddress, admin: adminAddress };
    },
    async close(graceMs = DEFAULT_GRACE_MS) {
      listening = false;
      const closed = Promise.all([closeServer(proxy.server), closeServer(admin)]);
      proxy.server.closeIdleConnections();
      const deadline = performance.now() + graceMs;
      while (proxy.inFlight() > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (proxy.inFlight() > 0) logger.warn({ inFlight: proxy.inFlight(), graceMs }, 'grace period over, closing connections');
      proxy.server.closeAllConnections();
      proxy.closeUpgrades();
      admin.closeAllConnections();
      await closed;
      proxy.destroy();
    },
  };
}

/** How far a body copy may be decompressed for the rules (a bound against zip bombs). */
export function decodedLimit(maxBodyBytes: number): number {
  return Math.max(1 << 20, maxBodyBytes * 16);
}

function bind(server: Server, address: string, key: string): Promise<AddressInfo> {
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

/** A TCP connect to the upstream, at most once every 2 s, answered within 1 s. */
function createUpstreamProbe(target: URL): () => Promise<boolean> {
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
