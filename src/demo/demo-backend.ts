import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { flawedRoutes } from './flawed-routes.js';
import { goodRoutes } from './good-routes.js';
import { curlLine, sendProblem, type DemoRoute } from './routes.js';

/** The most request body the demo reads; beyond it, 413. */
const MAX_BODY = 1 << 20;
const CREDENTIAL_COOKIE = /(?:^|;\s*)session=/;

export interface DemoBackend {
  readonly url: string;
  close(): Promise<void>;
}

interface Compiled {
  readonly route: DemoRoute;
  readonly segments: readonly string[];
}

/** Every endpoint of the demo API, well-formed first. */
export function demoRoutes(): DemoRoute[] {
  return [...goodRoutes(), ...flawedRoutes()];
}

function match(compiled: Compiled, method: string, segments: readonly string[]): Record<string, string> | undefined {
  if (compiled.segments.length !== segments.length) return undefined;
  if (compiled.route.method !== '*' && compiled.route.method !== method) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const expected = compiled.segments[i] as string;
    const actual = segments[i] as string;
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      params[expected.slice(1)] = decodeURIComponent(actual);
    } else if (expected !== actual) return undefined;
  }
  return params;
}

/**
 * A small REST API to audit when no --target is given: a book collection done right, and
 * endpoints under /api/flawed that each break one rule on purpose.
 */
export async function startDemoBackend(options: { host?: string; port?: number } = {}): Promise<DemoBackend> {
  const table = demoRoutes().map((route) => ({ route, segments: route.path.split('/') }));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size > MAX_BODY) return sendProblem(res, 413, 'Content Too Large', `the demo reads at most ${MAX_BODY} bytes`);
      const path = (req.url ?? '/').split('?')[0] as string;
      const segments = path.split('/');
      const method = req.method ?? 'GET';
      let params: Record<string, string> | undefined;
      const found = table.find((compiled) => {
        try {
          params = match(compiled, method, segments);
        } catch {
          params = undefined; // a malformed %-escape
        }
        return params !== undefined;
      });
      if (found === undefined || params === undefined) {
        const known = table.some((compiled) => compiled.segments.length === segments.length && compiled.route.path.split('/').every((s, i) => s.startsWith(':') || s === segments[i]));
        if (known) return sendProblem(res, 405, 'Method Not Allowed', undefined, { allow: allowed(table, segments) });
        return sendProblem(res, 404, 'Not Found', `no demo endpoint ${path}; try GET /api/books`);
      }
      const authenticated = req.headers.authorization !== undefined || CREDENTIAL_COOKIE.test(req.headers.cookie ?? '');
      try {
        found.route.handle({ req, res, params, body: Buffer.concat(chunks), authenticated });
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

function allowed(table: readonly Compiled[], segments: readonly string[]): string {
  const methods = new Set<string>();
  for (const compiled of table) {
    if (compiled.route.method === '*' || compiled.segments.length !== segments.length) continue;
    if (compiled.segments.every((s, i) => s.startsWith(':') || s === segments[i])) methods.add(compiled.route.method);
  }
  return [...methods].join(', ');
}

/** The banner's "try these" lines (featured endpoints), or every endpoint's with `all`. */
export function demoCurlLines(baseUrl: string, all = false): string[] {
  return demoRoutes()
    .filter((route) => route.try !== undefined && (all || route.featured === true))
    .map((route) => `${(route.try ?? []).map((request) => curlLine(baseUrl, request)).join('; ')}${route.rule === undefined ? '' : `   # ${route.rule}`}`);
}
