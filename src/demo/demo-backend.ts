import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crossExchangeRoutes } from './cross-exchange-routes.js';
import { flawedRoutes } from './flawed-routes.js';
import { methodSupportRoutes } from './method-support-routes.js';
import { goodRoutes } from './good-routes.js';
import { curlLine, sendProblem, type DemoRoute } from './routes.js';

/** The most request body the demo reads; beyond it, 413 (the rest is drained, not kept). */
export const MAX_DEMO_BODY_BYTES = 1 << 20;
/** The contract's default credentials: what makes a request authenticated, here as in the rules. */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'proxy-authorization'] as const;
const CREDENTIAL_COOKIES: ReadonlySet<string> = new Set(['session', 'sid', 'sessionid', 'connect.sid', 'JSESSIONID', 'PHPSESSID', '_session']);
/** A row that refuses its method on purpose (a 405) is listed in no Allow. */
const REFUSING_RULES: ReadonlySet<string> = new Set(['method-not-allowed-without-allow', 'allow-omits-working-method']);

export interface DemoBackend {
  readonly url: string;
  close(): Promise<void>;
}

interface Compiled {
  readonly route: DemoRoute;
  readonly segments: readonly string[];
}

type Lookup = { kind: 'route'; route: DemoRoute; params: Record<string, string> } | { kind: 'options' | 'not-allowed'; allow: string } | { kind: 'not-found' };

/** Every endpoint of the demo API: well-formed first, then the single-exchange flaws, then the sequences. */
export function demoRoutes(): DemoRoute[] {
  return [...goodRoutes(), ...flawedRoutes(), ...crossExchangeRoutes(), ...methodSupportRoutes()];
}

/** Path parameters when `segments` fits the template (any method), else undefined. */
function paramsFor(compiled: Compiled, segments: readonly string[]): Record<string, string> | undefined {
  if (compiled.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const expected = compiled.segments[i] as string;
    const actual = segments[i] as string;
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined; // a malformed %-escape names nothing here
      }
    } else if (expected !== actual) return undefined;
  }
  return params;
}

/**
 * Picks the route for a request: the method's own row; for HEAD, the GET row (Node drops the
 * body); OPTIONS answered with Allow; another method on a known path, 405 with Allow.
 */
function lookup(table: readonly Compiled[], method: string, segments: readonly string[]): Lookup {
  const fitting: Array<{ route: DemoRoute; params: Record<string, string> }> = [];
  for (const compiled of table) {
    const params = paramsFor(compiled, segments);
    if (params !== undefined) fitting.push({ route: compiled.route, params });
  }
  if (fitting.length === 0) return { kind: 'not-found' };
  const own = fitting.find((fit) => fit.route.method === method) ?? (method === 'HEAD' ? fitting.find((fit) => fit.route.method === 'GET') : undefined);
  if (own !== undefined) return { kind: 'route', ...own };
  const methods = new Set(fitting.filter((fit) => fit.route.rule === undefined || !REFUSING_RULES.has(fit.route.rule)).map((fit) => fit.route.method));
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return { kind: method === 'OPTIONS' ? 'options' : 'not-allowed', allow: [...methods].join(', ') };
}

function hasCredentials(headers: http.IncomingHttpHeaders): boolean {
  if (CREDENTIAL_HEADERS.some((name) => headers[name] !== undefined)) return true;
  for (const pair of (headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && CREDENTIAL_COOKIES.has(pair.slice(0, eq).trim())) return true;
  }
  return false;
}

/**
 * A small REST API to audit when no --target is given: a book collection done right, and
 * endpoints under /api/flawed that each break one rule on purpose. It never crashes on its
 * input: bodies are capped, aborted requests and handler faults are contained.
 */
export async function startDemoBackend(options: { host?: string; port?: number } = {}): Promise<DemoBackend> {
  const table: Compiled[] = demoRoutes().map((route) => ({ route, segments: route.path.split('/') }));

  function dispatch(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const found = lookup(table, req.method ?? 'GET', path.split('/'));
    switch (found.kind) {
      case 'not-found':
        return sendProblem(res, 404, 'Not Found', `no demo endpoint ${path}; try GET /api/books`);
      case 'not-allowed':
        return sendProblem(res, 405, 'Method Not Allowed', `${req.method} is not allowed here`, { allow: found.allow });
      case 'options':
        res.writeHead(204, { allow: found.allow });
        res.end();
        return;
      case 'route': {
        const query = new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
        found.route.handle({ req, res, params: found.params, query, body, authenticated: hasCredentials(req.headers) });
      }
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_DEMO_BODY_BYTES) chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size > MAX_DEMO_BODY_BYTES) return sendProblem(res, 413, 'Content Too Large', `the demo reads at most ${MAX_DEMO_BODY_BYTES} bytes`);
      try {
        dispatch(req, res, Buffer.concat(chunks));
      } catch (error) {
        if (!res.headersSent) sendProblem(res, 500, 'Internal Server Error', (error as Error).message);
        else res.destroy();
      }
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The banner's "try these" lines: one per featured endpoint (with `all`, per endpoint that
 * has requests to try), its whole sequence `;`-joined, a flawed one commented with its rule.
 */
export function demoCurlLines(baseUrl: string, all = false): string[] {
  return demoRoutes()
    .filter((route) => route.try !== undefined && (all || route.featured === true))
    .map((route) => `${(route.try ?? []).map((request) => curlLine(baseUrl, request)).join('; ')}${route.rule === undefined ? '' : `   # ${route.rule}`}`);
}
