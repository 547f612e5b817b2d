import http from 'node:http';
import type { ViolationRecord } from '../findings/violation-buffer.js';
import type { CoverageReport } from '../spec/coverage.js';

export interface AdminDeps {
  /** The Prometheus exposition text and its content type (one process's, or every worker's). */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly text: string }>;
  /** The most recent violations, newest first, at most `limit`. */
  readonly violations: (limit: number) => Promise<readonly ViolationRecord[]>;
  /** True once the proxy listens and the upstream answered recently (or answers a probe). */
  readonly ready: () => Promise<boolean>;
  /** With a spec: which documented operations traffic exercised, and which undocumented ones it hit. */
  readonly specCoverage?: () => Promise<CoverageReport | undefined>;
}

/** The most `/violations?limit=` may ask for (the size of each process's ring). */
export const MAX_LIMIT = 1000;

/**
 * The admin port: metrics, health, readiness and the recent violations. Its requests are
 * never proxied and never counted as traffic.
 */
export function createAdminServer(deps: AdminDeps): http.Server {
  return http.createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    switch (path) {
      case '/metrics':
        deps.metrics().then(
          ({ contentType, text }) => send(res, 200, contentType, text),
          (error: unknown) => send(res, 500, 'text/plain; charset=utf-8', `metrics failed: ${(error as Error).message}\n`),
        );
        return;
      case '/healthz':
        send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
        return;
      case '/readyz':
        deps.ready().then(
          (ready) => send(res, ready ? 200 : 503, 'text/plain; charset=utf-8', ready ? 'ready\n' : 'upstream not answering\n'),
          () => send(res, 503, 'text/plain; charset=utf-8', 'upstream not answering\n'),
        );
        return;
      case '/violations': {
        const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
        const limit = parseLimit(params.get('limit'));
        if (limit === undefined) {
          send(res, 400, 'application/json', JSON.stringify({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` }));
          return;
        }
        deps.violations(limit).then(
          (violations) => send(res, 200, 'application/json', JSON.stringify({ violations })),
          (error: unknown) => send(res, 500, 'application/json', JSON.stringify({ error: `violations failed: ${(error as Error).message}` })),
        );
        return;
      }
      case '/spec-coverage': {
        const coverage = deps.specCoverage;
        if (coverage === undefined) {
          send(res, 404, 'application/json', JSON.stringify({ error: 'no spec: start restaudit with --spec FILE to measure its coverage' }));
          return;
        }
        coverage().then(
          (report) => send(res, 200, 'application/json', JSON.stringify(report)),
          (error: unknown) => send(res, 500, 'application/json', JSON.stringify({ error: `spec coverage failed: ${(error as Error).message}` })),
        );
        return;
      }
      default:
        send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics, /healthz, /readyz, /violations, /spec-coverage\n');
    }
  });
}

function parseLimit(value: string | null): number | undefined {
  if (value === null) return 100;
  if (!/^\d+$/.test(value)) return undefined;
  const limit = Number(value);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : undefined;
}

function send(res: http.ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
