import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, Gauge, Registry, type PrometheusContentType } from 'prom-client';
import { createAdminServer } from '../admin/admin-server.js';
import type { Config } from '../config/schema.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import type { ViolationRecord } from '../findings/violation-buffer.js';
import { coalesceScrapes } from '../metrics/scrape-coalescer.js';
import type { Logger } from '../logging/logger.js';
import { withMallocTunables } from '../malloc-tunables.js';
import { bind, closeServer, createUpstreamProbe, DEFAULT_GRACE_MS, restartRequired } from '../service.js';
import type { CompiledSpec } from '../spec/compile-spec.js';
import { SpecCoverage, type CoverageReport } from '../spec/coverage.js';
import {
  isCoverageResponse,
  isFlushMessage,
  isLessonsMessage,
  isLiveViolationsMessage,
  isSyncMessage,
  isViolationsResponse,
  WORKER_CONFIG_ENV,
  type CoverageRequest,
  type ReloadMessage,
  type ViolationsRequest,
  type WatchMessage,
} from './messages.js';
import { SyncRounds } from './sync-rounds.js';

/** How long the primary waits for a worker to answer an IPC request. */
const ASK_TIMEOUT_MS = 2000;
/** How long past the grace period a stopping worker gets before SIGKILL. */
const KILL_AFTER_MS = 2000;

export interface PrimaryOptions {
  readonly config: Config & { target: string };
  readonly logger: Logger;
  /** The log level the workers log at. */
  readonly level: string;
  /** The compiled spec (`--spec`): each worker reads it too; the primary merges their coverage. */
  readonly spec?: CompiledSpec;
}

export interface Primary {
  /** Starts every worker and the admin port; throws RA_ERR_WORKER or RA_ERR_LISTEN. */
  listen(): Promise<{ proxy: AddressInfo; admin: AddressInfo }>;
  /** Hands a re-read configuration to every worker (and to those started later); see AuditCore.reload. */
  reload(config: Config & { target: string }): string[];
  /** Stops every worker (each lets its in-flight exchanges finish), then the admin port. */
  close(graceMs?: number): Promise<void>;
}

/**
 * What the primary reports of itself. Aggregation leaves out the workers' start times (they
 * differ; prom-client omits them), but the alert rules read `process_start_time_seconds` to
 * tell a fresh start from a regression: the primary's start is restaudit's.
 */
function primaryRegistry(): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'restaudit_process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    registers: [registry],
  }).set(Math.round(performance.timeOrigin / 1000));
  return registry;
}

/**
 * `--workers N`: the primary process forks N workers that share the proxy port (node:cluster
 * hands out connections round-robin) and serves the admin port itself. `/metrics` sums the
 * workers' registries (prom-client's AggregatorRegistry); `/violations` merges their recent
 * violations. Each worker audits with its own cross-exchange memory, and the lessons that
 * change findings elsewhere are passed on to the others. A worker that dies is replaced; one
 * that cannot start is not retried.
 */
export function createPrimary(options: PrimaryOptions): Primary {
  const { config, logger, spec } = options;
  const workers = new Set<Worker>();
  const listening = new Set<Worker>();
  const registry = new AggregatorRegistry<PrometheusContentType>();
  const own = primaryRegistry();
  const probe = createUpstreamProbe(new URL(config.target));
  let running = config;
  // Workers serve no admin port: the token stays with the primary.
  // cluster.fork adds these to the primary's environment; the allocator settings apply to a
  // worker even where the primary was started without them.
  const env = withMallocTunables({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, adminToken: '' }), LOG_LEVEL: options.level, GLIBC_TUNABLES: process.env.GLIBC_TUNABLES });
  let stopping = false;
  let asked = 0;
  const sync = new SyncRounds(() => listening);
  /** Who reads `/events` now (the admin server subscribes while it has readers). */
  let watcher: { onViolation: (record: ViolationRecord) => void; onGap: () => void } | undefined;

  function tellWatch(worker: Worker): void {
    const message: WatchMessage = { type: 'restaudit:watch', on: watcher !== undefined };
    if (worker.isConnected()) worker.send(message);
  }

  const admin = createAdminServer({
    metrics: coalesceScrapes(async () => ({ contentType: registry.contentType, text: (await registry.clusterMetrics()) + (await own.metrics()) })),
    violations: (limit) => recentViolations(limit),
    ready: async () => !stopping && listening.size === config.workers && probe(),
    events: (onViolation, onGap) => {
      watcher = { onViolation, onGap };
      for (const worker of listening) tellWatch(worker);
      return () => {
        watcher = undefined;
        for (const worker of listening) tellWatch(worker);
      };
    },
    customRules: config.custom,
    token: config.adminToken,
    specCoverage: spec === undefined ? undefined : () => mergedCoverage(spec),
  });

  /** Forks one worker; resolves with its proxy address once it listens. */
  function fork(): Promise<AddressInfo> {
    const worker = cluster.fork(env);
    workers.add(worker);
    worker.on('message', (message: unknown) => {
      if (isLiveViolationsMessage(message)) {
        for (const record of message.violations) watcher?.onViolation(record);
        if (message.dropped > 0) watcher?.onGap();
        return;
      }
      if (isLessonsMessage(message)) {
        for (const other of listening) if (other !== worker) other.send(message);
      } else if (isSyncMessage(message, 'restaudit:sync')) {
        sync.ask(worker, message.seq);
      } else if (isFlushMessage(message, 'restaudit:flushed')) {
        sync.flushed(worker, message.round);
      }
    });
    return new Promise((resolve, reject) => {
      worker.once('listening', (address: { address: string; port: number; addressType: number | string }) => {
        listening.add(worker);
        if (watcher !== undefined) tellWatch(worker);
        resolve({ address: address.address, port: address.port, family: address.addressType === 6 ? 'IPv6' : 'IPv4' });
      });
      worker.once('exit', (code, signal) => {
        workers.delete(worker);
        const wasListening = listening.delete(worker);
        sync.gone(worker);
        if (!wasListening) {
          reject(new RestauditError(ERROR_CODES.worker, [`worker ${worker.process.pid ?? '?'} exited (${signal ?? `status ${code}`}) before listening`]));
          return;
        }
        if (stopping) return;
        logger.error({ worker: worker.process.pid, code, signal }, 'worker exited, starting another');
        fork().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'replacement worker could not start'));
      });
    });
  }

  /**
   * Sends `request` to every listening worker and resolves with their answers: `answerOf`
   * reads a worker's answer to this request from a message (undefined for any other). A
   * worker that does not answer within ASK_TIMEOUT_MS (busy, dying) is left out.
   */
  function askWorkers<T>(request: { readonly requestId: number }, answerOf: (message: unknown) => T | undefined): Promise<T[]> {
    const asking = [...listening].map(
      (worker) =>
        new Promise<T | undefined>((resolve) => {
          const done = (answer: T | undefined): void => {
            clearTimeout(timer);
            worker.removeListener('message', onMessage);
            resolve(answer);
          };
          const onMessage = (message: unknown): void => {
            const answer = answerOf(message);
            if (answer !== undefined) done(answer);
          };
          const timer = setTimeout(() => done(undefined), ASK_TIMEOUT_MS);
          worker.on('message', onMessage);
          worker.send(request);
        }),
    );
    return Promise.all(asking).then((answers) => answers.filter((answer): answer is Awaited<T> => answer !== undefined));
  }

  async function recentViolations(limit: number): Promise<ViolationRecord[]> {
    const request: ViolationsRequest = { type: 'restaudit:violations', requestId: ++asked, limit };
    const answers = await askWorkers(request, (message) => (isViolationsResponse(message) && message.requestId === request.requestId ? message.violations : undefined));
    return answers.flat().sort((a, b) => b.time - a.time).slice(0, limit);
  }

  /** The workers' coverage reports added up (each counts only the exchanges it served). */
  async function mergedCoverage(spec: CompiledSpec): Promise<CoverageReport> {
    const request: CoverageRequest = { type: 'restaudit:coverage', requestId: ++asked };
    const reports = await askWorkers(request, (message) => (isCoverageResponse(message) && message.requestId === request.requestId ? message.report : undefined));
    const merged = new SpecCoverage(spec.file, spec.operations);
    for (const report of reports) if (report !== null) merged.absorb(report);
    return merged.report();
  }

  async function stopWorkers(graceMs: number): Promise<void> {
    const exits = [...workers].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) {
            resolve();
            return;
          }
          const killer = setTimeout(() => worker.process.kill('SIGKILL'), graceMs + KILL_AFTER_MS);
          worker.once('exit', () => {
            clearTimeout(killer);
            resolve();
          });
          worker.process.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }

  return {
    reload(next) {
      const restart = restartRequired(running, next);
      running = next;
      // A worker started later (a replacement) starts on the new configuration.
      const forWorkers = { ...next, adminToken: '' };
      env[WORKER_CONFIG_ENV] = JSON.stringify(forWorkers);
      const message: ReloadMessage = { type: 'restaudit:reload', config: forWorkers };
      for (const worker of listening) worker.send(message);
      return restart;
    },
    async listen() {
      try {
        const addresses = await Promise.all(Array.from({ length: config.workers }, () => fork()));
        return { proxy: addresses[0] as AddressInfo, admin: await bind(admin, config.admin, 'admin') };
      } catch (error) {
        stopping = true;
        await stopWorkers(0);
        throw error;
      }
    },
    async close(graceMs = DEFAULT_GRACE_MS) {
      stopping = true;
      const adminClosed = closeServer(admin);
      admin.closeIdleConnections();
      await stopWorkers(graceMs);
      admin.closeAllConnections();
      await adminClosed;
    },
  };
}
