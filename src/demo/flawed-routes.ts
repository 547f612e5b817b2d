import { parseJson, sendJson, sendProblem, type DemoRoute, type DemoExchange } from './routes.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const NODE_STACK = `TypeError: Cannot read properties of undefined (reading 'total')
    at computeInvoice (/srv/app/src/billing.js:42:17)
    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)
    at next (/srv/app/node_modules/express/lib/router/route.js:149:13)`;

/**
 * Writes a bodiless response head, then bytes no such response may carry, straight to the
 * socket (Node would drop them from `res.end`). The connection closes afterwards, so a client
 * that reuses connections never reads the stray bytes as the start of its next response.
 */
function bodilessWithBytes({ res }: DemoExchange, status: number, headers: Record<string, string>, stray: string): void {
  const socket = res.socket;
  res.writeHead(status, { ...headers, connection: 'close' });
  res.end();
  if (socket !== null && !socket.destroyed) socket.write(stray);
}

/**
 * The deliberately flawed part of the demo API, under /api/flawed: each endpoint trips one
 * single-exchange rule on every call (the sequences for the cross-exchange rules are in
 * cross-exchange-routes.ts). Deterministic.
 */
export function flawedRoutes(): DemoRoute[] {
  let created = 100;
  return [
    {
      method: 'POST',
      path: '/api/flawed/orders',
      rule: 'post-200-without-location',
      description: 'creates an order but answers 200 without Location',
      try: [{ method: 'POST', path: '/api/flawed/orders', headers: { 'content-type': 'application/json' }, body: '{"item":"tea"}' }],
      featured: true,
      handle: ({ res }) => sendJson(res, 200, { id: created++, item: 'tea' }),
    },
    {
      method: 'POST',
      path: '/api/flawed/invoices',
      rule: 'created-without-location',
      description: 'answers 201 Created without Location',
      try: [{ method: 'POST', path: '/api/flawed/invoices', headers: { 'content-type': 'application/json' }, body: '{"total":12}' }],
      featured: true,
      handle: ({ res }) => sendJson(res, 201, { id: created++, total: 12 }),
    },
    {
      method: 'POST',
      path: '/api/flawed/parse',
      rule: 'server-error-on-bad-input',
      description: 'answers 500 to malformed JSON (should be 400)',
      try: [{ method: 'POST', path: '/api/flawed/parse', headers: { 'content-type': 'application/json' }, body: '{"broken":' }],
      featured: true,
      handle: ({ res, body }) => {
        if (parseJson(body) === undefined) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('Internal Server Error');
          return;
        }
        sendJson(res, 200, { parsed: true });
      },
    },
    {
      method: 'POST',
      path: '/api/flawed/signup',
      rule: 'server-error-on-bad-input',
      description: 'answers 500 with "validation failed: email is required"',
      try: [{ method: 'POST', path: '/api/flawed/signup', headers: { 'content-type': 'application/json' }, body: '{}' }],
      handle: ({ res }) => sendJson(res, 500, { message: 'validation failed: email is required' }),
    },
    {
      method: 'DELETE',
      path: '/api/flawed/sessions/:id',
      rule: 'unexpected-success-status',
      description: 'a DELETE answered 201',
      try: [{ method: 'DELETE', path: '/api/flawed/sessions/1' }],
      handle: ({ res }) => sendJson(res, 201, { deleted: true }),
    },
    {
      method: 'GET',
      path: '/api/flawed/counter',
      rule: 'safe-method-created',
      description: 'a GET that creates something and answers 201',
      try: [{ method: 'GET', path: '/api/flawed/counter' }],
      handle: ({ res }) => sendJson(res, 201, { id: created++ }),
    },
    {
      method: 'DELETE',
      path: '/api/flawed/cache',
      rule: 'body-on-no-content',
      description: 'answers 204 and then sends a body anyway',
      try: [{ method: 'DELETE', path: '/api/flawed/cache' }],
      featured: true,
      handle: (exchange) => bodilessWithBytes(exchange, 204, {}, '{"cleared":true}'),
    },
    {
      method: 'HEAD',
      path: '/api/flawed/status',
      rule: 'body-on-head',
      description: 'answers HEAD with body bytes',
      try: [{ method: 'HEAD', path: '/api/flawed/status' }],
      handle: (exchange) => bodilessWithBytes(exchange, 200, { 'content-type': 'text/plain', 'content-length': '2' }, 'ok'),
    },
    {
      method: 'GET',
      path: '/api/flawed/status',
      description: 'the GET behind the flawed HEAD',
      handle: ({ res }) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/account',
      rule: 'unauthorized-without-www-authenticate',
      description: 'answers 401 without WWW-Authenticate',
      try: [{ method: 'GET', path: '/api/flawed/account' }],
      featured: true,
      handle: ({ res }) => sendJson(res, 401, { error: 'not logged in' }),
    },
    {
      method: 'POST',
      path: '/api/flawed/archive',
      rule: 'method-not-allowed-without-allow',
      description: 'a read-only archive: POST answers 405 without Allow',
      try: [{ method: 'POST', path: '/api/flawed/archive' }],
      handle: ({ res }) => sendProblem(res, 405, 'Method Not Allowed'),
    },
    {
      method: 'GET',
      path: '/api/flawed/archive',
      description: 'the read-only archive behind the flawed 405 (200)',
      handle: ({ res }) => sendJson(res, 200, { data: [{ year: 2023 }, { year: 2024 }] }),
    },
    {
      method: 'GET',
      path: '/api/flawed/old-home',
      rule: 'redirect-without-location',
      description: 'answers 302 without Location',
      try: [{ method: 'GET', path: '/api/flawed/old-home' }],
      handle: ({ res }) => {
        res.writeHead(302, { 'content-type': 'text/plain' });
        res.end('moved');
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/inventory',
      rule: 'error-payload-with-success-status',
      description: 'answers 200 with {"error": ...}',
      try: [{ method: 'GET', path: '/api/flawed/inventory' }],
      featured: true,
      handle: ({ res }) => sendJson(res, 200, { error: 'inventory service unavailable' }),
    },
    {
      method: 'GET',
      path: '/api/flawed/report',
      rule: 'invalid-json-response',
      description: 'declares JSON, sends broken JSON',
      try: [{ method: 'GET', path: '/api/flawed/report' }],
      handle: ({ res }) => {
        res.writeHead(200, JSON_HEADERS);
        res.end('{"rows": [1, 2, 3], "total":');
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/plain-error',
      rule: 'error-not-problem-json',
      description: 'a 400 as text/plain (that rule is disabled by default)',
      try: [{ method: 'GET', path: '/api/flawed/plain-error' }],
      handle: ({ res }) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('bad request');
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/problem',
      rule: 'problem-status-mismatch',
      description: 'a 404 whose problem document says status 400',
      try: [{ method: 'GET', path: '/api/flawed/problem' }],
      handle: ({ res }) => {
        const body = JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400 });
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(body);
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/video',
      rule: 'partial-without-content-range',
      description: 'answers 206 without Content-Range',
      try: [{ method: 'GET', path: '/api/flawed/video', headers: { 'range': 'bytes=0-9' } }],
      handle: ({ res }) => {
        res.writeHead(206, { 'content-type': 'video/mp4', 'content-length': '10' });
        res.end(Buffer.alloc(10));
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/raw',
      rule: 'missing-content-type',
      description: 'content without Content-Type',
      try: [{ method: 'GET', path: '/api/flawed/raw' }],
      handle: ({ res }) => {
        res.writeHead(200, { 'content-length': '11' });
        res.end('hello world');
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/billing',
      rule: 'stack-trace-leak',
      description: 'a 500 with a Node stack trace in the body',
      try: [{ method: 'GET', path: '/api/flawed/billing' }],
      featured: true,
      handle: ({ res }) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(NODE_STACK);
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/admin',
      rule: 'forbidden-without-credentials',
      description: 'answers 403 to a request without credentials (should be 401)',
      try: [{ method: 'GET', path: '/api/flawed/admin' }],
      handle: ({ res }) => sendProblem(res, 403, 'Forbidden'),
    },
  ];
}
