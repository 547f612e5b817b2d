import http from 'node:http';
import type { CustomRuleConfig } from '../config/schema.js';
import type { ViolationRecord } from '../findings/violation-buffer.js';
import type { CoverageReport } from '../spec/coverage.js';
import { ALL_RULES } from '../rules/all-rules.js';
import { CHALLENGES, createTokenCheck } from './auth.js';
import { EventStream, type ViolationSource } from './event-stream.js';
import { renderLivePage } from './page/live-page.js';
import { renderRulePages, type Page } from './rule-pages.js';
import { renderRunbookPages } from './runbooks.js';

export interface AdminDeps {
  /** The Prometheus exposition text and its content type (one process's, or every worker's). */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly text: string }>;
  /** The most recent violations, newest first, at most `limit`. */
  readonly violations: (limit: number) => Promise<readonly ViolationRecord[]>;
  /** The `/violations` answer already serialised, when the records are held as JSON (one process). */
  readonly violationsJson?: (limit: number) => string;
  /** True once the proxy listens and the upstream answered recently (or answers a probe). */
  readonly ready: () => Promise<boolean>;
  /** With a spec: which documented operations traffic exercised, and which undocumented ones it hit. */
  readonly specCoverage?: () => Promise<CoverageReport | undefined>;
  /** Violations as they happen (`/events`), from where `/violations` gets them. */
  readonly events: ViolationSource;
  /** The configuration's custom rules, which get `/rules/<id>` pages too. */
  readonly customRules?: readonly CustomRuleConfig[];
  /** When set, every endpoint but `/healthz` requires it (Bearer, or Basic's password). */
  readonly token?: string;
}

/** The most `/violations?limit=` may ask for (the size of each process's ring). */
export const MAX_LIMIT = 1000;

const TEXT = 'text/plain; charset=utf-8';

export interface AdminServer extends http.Server {
  /** The `/events` readers connected now. */
  readonly eventReaders: () => number;
}

/**
 * The admin port: metrics, health, readiness, the recent violations, the live page and its
 * event stream, and the rule and runbook pages. Its requests are never proxied and never
 * counted as traffic. Pages are rendered once, here.
 */
export function createAdminServer(deps: AdminDeps): AdminServer {
  const live = renderLivePage();
  const rules = renderRulePages(ALL_RULES, deps.customRules ?? []);
  const runbooks = renderRunbookPages();
  const stream = new EventStream(deps.events);
  const authorized = deps.token === undefined || deps.token === '' ? undefined : createTokenCheck(deps.token);

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, TEXT, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    if (path === '/healthz') {
      send(res, 200, TEXT, 'ok\n');
      return;
    }
    if (authorized !== undefined && !authorized(req.headers)) {
      res.setHeader('www-authenticate', CHALLENGES);
      send(res, 401, TEXT, 'the admin port needs the admin token: Authorization: Bearer TOKEN, or Basic with TOKEN as the password\n');
      return;
    }
    switch (path) {
      case '/':
        sendPage(res, live);
        return;
      case '/events':
        if (req.method === 'HEAD') send(res, 200, 'text/event-stream; charset=utf-8', '');
        else stream.accept(res);
        return;
      case '/metrics':
        deps.metrics().then(
          ({ contentType, text }) => send(res, 200, contentType, text),
          (error: unknown) => send(res, 500, TEXT, `metrics failed: ${(error as Error).message}\n`),
        );
        return;
      case '/readyz':
        deps.ready().then(
          (ready) => send(res, ready ? 200 : 503, TEXT, ready ? 'ready\n' : 'upstream not answering\n'),
          () => send(res, 503, TEXT, 'upstream not answering\n'),
        );
        return;
      case '/violations': {
        const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
        const limit = parseLimit(params.get('limit'));
        if (limit === undefined) {
          send(res, 400, 'application/json', JSON.stringify({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` }));
          return;
        }
        if (deps.violationsJson !== undefined) {
          send(res, 200, 'application/json', deps.violationsJson(limit));
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
      case '/rules':
        sendPage(res, rules.index);
        return;
      case '/runbooks':
        sendPage(res, runbooks.index);
        return;
      default: {
        const found = lookup(path, '/rules/', rules.pages) ?? lookup(path, '/runbooks/', runbooks.pages);
        if (found !== undefined) sendPage(res, found);
        else send(res, 404, TEXT, 'not found: try /, /metrics, /healthz, /readyz, /violations, /events, /rules, /runbooks, /spec-coverage\n');
      }
    }
  });
  return Object.assign(server, { eventReaders: () => stream.size });
}

/** The page named by the rest of `path` after `prefix` (one segment, percent-decoded). */
function lookup(path: string, prefix: string, pages: ReadonlyMap<string, Page>): Page | undefined {
  if (!path.startsWith(prefix)) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(path.slice(prefix.length));
  } catch {
    return undefined;
  }
  return pages.get(name);
}

function parseLimit(value: string | null): number | undefined {
  if (value === null) return 100;
  if (!/^\d+$/.test(value)) return undefined;
  const limit = Number(value);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : undefined;
}

function sendPage(res: http.ServerResponse, page: Page): void {
  send(res, 200, 'text/html; charset=utf-8', page.html, { 'content-security-policy': page.csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
}

function send(res: http.ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
