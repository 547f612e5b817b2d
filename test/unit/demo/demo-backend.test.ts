import net from 'node:net';
import { describe, expect, test as base } from 'vitest';
import { demoCurlLines, demoRoutes, MAX_DEMO_BODY_BYTES, startDemoBackend, type DemoBackend } from '../../../src/demo/demo-backend.js';
import { RULE_IDS as ALL_RULE_IDS, SPEC_RULE_IDS } from '../../../src/rules/ids.js';

/** The demo backend shows every rule that needs no spec. */
const RULE_IDS = ALL_RULE_IDS.filter((id) => !(SPEC_RULE_IDS as readonly string[]).includes(id));
import { request, type Received, type RequestOptions } from '../../helpers/servers.js';

/** A fresh demo backend (its own state) on 127.0.0.1, port 0, closed after the test. */
const test = base.extend<{ demo: DemoBackend }>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads the fixture's dependencies from this pattern
  demo: async ({}, use) => {
    const demo = await startDemoBackend({ host: '127.0.0.1', port: 0 });
    await use(demo);
    await demo.close();
  },
});

const JSON_BODY = { 'content-type': 'application/json' };
const AUTH = { authorization: 'Bearer demo' };

function call(demo: DemoBackend, method: string, path: string, options: RequestOptions = {}): Promise<Received> {
  return request(`${demo.url}${path}`, { ...options, method });
}

function json(received: Received): unknown {
  return JSON.parse(received.body.toString('utf8'));
}

/** A problem+json answer with this status, whose `status` member agrees. */
function expectProblem(received: Received, status: number): void {
  expect(received.status).toBe(status);
  expect(received.headers['content-type']).toBe('application/problem+json');
  expect(json(received)).toMatchObject({ status });
}

/**
 * One request on a fresh socket, `Connection: close`, every byte the server sends until it
 * closes: what a client's HTTP parser would hide (bytes after a bodiless response).
 */
function rawExchange(demo: DemoBackend, method: string, path: string, headers: Record<string, string> = {}): Promise<{ head: string; after: Buffer }> {
  const { hostname, port } = new URL(demo.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const bytes = Buffer.concat(chunks);
      const end = bytes.indexOf('\r\n\r\n');
      if (end === -1) return reject(new Error(`no response head in ${JSON.stringify(bytes.toString('latin1'))}`));
      resolve({ head: bytes.subarray(0, end).toString('latin1'), after: bytes.subarray(end + 4) });
    });
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

function headerOf(head: string, name: string): string | undefined {
  const line = head.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

type Check = (demo: DemoBackend) => Promise<void>;

/** What each row of the route table (`METHOD path`) answers, deliberately. */
const EXPECTED: Record<string, Check> = {
  'GET /api/books': async (demo) => {
    const list = await call(demo, 'GET', '/api/books');
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json');
    expect(json(list)).toMatchObject({ data: [{ id: 1 }, { id: 2 }, { id: 3 }] });
  },
  'POST /api/books': async (demo) => {
    const created = await call(demo, 'POST', '/api/books', { headers: JSON_BODY, body: '{"title":"Dune","author":"Frank Herbert"}' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/books/4');
    expect(json(created)).toEqual({ id: 4, title: 'Dune', author: 'Frank Herbert' });
    expect(json(await call(demo, 'GET', '/api/books/4'))).toEqual({ id: 4, title: 'Dune', author: 'Frank Herbert' });
    expectProblem(await call(demo, 'POST', '/api/books', { headers: JSON_BODY, body: '{"title":' }), 400);
    expectProblem(await call(demo, 'POST', '/api/books', { headers: JSON_BODY, body: '["Dune"]' }), 422);
    expectProblem(await call(demo, 'POST', '/api/books', { headers: JSON_BODY, body: '{"author":"nobody"}' }), 422);
  },
  'GET /api/books/:id': async (demo) => {
    const book = await call(demo, 'GET', '/api/books/1');
    expect(book.status).toBe(200);
    expect(json(book)).toMatchObject({ id: 1, title: 'Leviathan Wakes' });
    expectProblem(await call(demo, 'GET', '/api/books/999'), 404);
  },
  'HEAD /api/books/:id': async (demo) => {
    const length = (await call(demo, 'GET', '/api/books/1')).body.length;
    const head = await rawExchange(demo, 'HEAD', '/api/books/1');
    expect(head.head).toMatch(/^HTTP\/1\.1 200 /);
    expect(headerOf(head.head, 'content-length')).toBe(String(length));
    expect(head.after.length).toBe(0);
    expect((await call(demo, 'HEAD', '/api/books/999')).status).toBe(404);
  },
  'PUT /api/books/:id': async (demo) => {
    const replaced = await call(demo, 'PUT', '/api/books/2', { headers: JSON_BODY, body: '{"title":"The Word for World Is Forest"}' });
    expect(replaced.status).toBe(200);
    expect(json(await call(demo, 'GET', '/api/books/2'))).toEqual({ id: 2, title: 'The Word for World Is Forest' });
    expect((await call(demo, 'PUT', '/api/books/50', { headers: JSON_BODY, body: '{"title":"New"}' })).status).toBe(201);
    expectProblem(await call(demo, 'PUT', '/api/books/2', { headers: JSON_BODY, body: '{}' }), 422);
    expectProblem(await call(demo, 'PUT', '/api/books/two', { headers: JSON_BODY, body: '{"title":"x"}' }), 404);
  },
  'PATCH /api/books/:id': async (demo) => {
    const patched = await call(demo, 'PATCH', '/api/books/1', { headers: JSON_BODY, body: '{"author":"Corey"}' });
    expect(patched.status).toBe(200);
    expect(json(patched)).toEqual({ id: 1, title: 'Leviathan Wakes', author: 'Corey' });
    expectProblem(await call(demo, 'PATCH', '/api/books/1', { headers: JSON_BODY, body: '{"title":42}' }), 422);
    expectProblem(await call(demo, 'PATCH', '/api/books/999', { headers: JSON_BODY, body: '{}' }), 404);
  },
  'DELETE /api/books/:id': async (demo) => {
    const deleted = await call(demo, 'DELETE', '/api/books/3');
    expect(deleted.status).toBe(204);
    expect(deleted.body.length).toBe(0);
    expectProblem(await call(demo, 'GET', '/api/books/3'), 404);
    expectProblem(await call(demo, 'DELETE', '/api/books/3'), 404);
  },
  'GET /api/me': async (demo) => {
    const anonymous = await call(demo, 'GET', '/api/me');
    expectProblem(anonymous, 401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="demo"');
    expect((await call(demo, 'GET', '/api/me', { headers: AUTH })).status).toBe(200);
  },

  'POST /api/flawed/orders': async (demo) => {
    const answer = await call(demo, 'POST', '/api/flawed/orders', { headers: JSON_BODY, body: '{"item":"tea"}' });
    expect(answer.status).toBe(200);
    expect(answer.headers.location).toBeUndefined();
    expect(json(answer)).toMatchObject({ id: expect.any(Number) as number });
  },
  'POST /api/flawed/invoices': async (demo) => {
    const answer = await call(demo, 'POST', '/api/flawed/invoices', { headers: JSON_BODY, body: '{"total":12}' });
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toBeUndefined();
  },
  'POST /api/flawed/parse': async (demo) => {
    expect((await call(demo, 'POST', '/api/flawed/parse', { headers: JSON_BODY, body: '{"broken":' })).status).toBe(500);
    expect((await call(demo, 'POST', '/api/flawed/parse', { headers: JSON_BODY, body: '{"whole":true}' })).status).toBe(200);
  },
  'POST /api/flawed/signup': async (demo) => {
    const answer = await call(demo, 'POST', '/api/flawed/signup', { headers: JSON_BODY, body: '{}' });
    expect(answer.status).toBe(500);
    expect(answer.body.toString()).toContain('validation failed: email is required');
  },
  'DELETE /api/flawed/sessions/:id': async (demo) => {
    const answer = await call(demo, 'DELETE', '/api/flawed/sessions/1');
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toBeUndefined();
  },
  'GET /api/flawed/counter': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/counter');
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toBeUndefined();
  },
  'DELETE /api/flawed/cache': async (demo) => {
    const { head, after } = await rawExchange(demo, 'DELETE', '/api/flawed/cache');
    expect(head).toMatch(/^HTTP\/1\.1 204 /);
    expect(headerOf(head, 'content-length')).toBeUndefined();
    expect(headerOf(head, 'transfer-encoding')).toBeUndefined();
    expect(headerOf(head, 'connection')).toBe('close');
    expect(after.toString()).toBe('{"cleared":true}');
  },
  'HEAD /api/flawed/status': async (demo) => {
    const { head, after } = await rawExchange(demo, 'HEAD', '/api/flawed/status');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(headerOf(head, 'connection')).toBe('close');
    expect(after.toString()).toBe('ok');
  },
  'GET /api/flawed/status': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/status');
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('ok');
  },
  'GET /api/flawed/account': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/account');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBeUndefined();
  },
  'POST /api/flawed/archive': async (demo) => {
    const answer = await call(demo, 'POST', '/api/flawed/archive');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBeUndefined();
  },
  'GET /api/flawed/archive': async (demo) => {
    expect((await call(demo, 'GET', '/api/flawed/archive')).status).toBe(200);
  },
  'GET /api/flawed/old-home': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/old-home');
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBeUndefined();
  },
  'GET /api/flawed/inventory': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/inventory');
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ error: expect.any(String) as string });
  },
  'GET /api/flawed/report': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/report');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(() => json(answer)).toThrow(SyntaxError);
  },
  'GET /api/flawed/plain-error': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/plain-error');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('text/plain');
  },
  'GET /api/flawed/problem': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/problem');
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(json(answer)).toMatchObject({ status: 400 });
  },
  'GET /api/flawed/video': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/video', { headers: { range: 'bytes=0-9' } });
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBeUndefined();
    expect(answer.headers['content-type']).not.toContain('multipart/byteranges');
    expect(answer.body.length).toBe(10);
  },
  'GET /api/flawed/raw': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/raw');
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBeGreaterThan(0);
    expect(answer.headers['content-type']).toBeUndefined();
  },
  'GET /api/flawed/billing': async (demo) => {
    const answer = await call(demo, 'GET', '/api/flawed/billing');
    expect(answer.status).toBe(500);
    expect(answer.body.toString()).toMatch(/\n\s+at \S+ \(\/\S+\.js:\d+:\d+\)/);
  },
  'GET /api/flawed/admin': async (demo) => {
    expect((await call(demo, 'GET', '/api/flawed/admin')).status).toBe(403);
  },

  'POST /api/flawed/tags': async (demo) => {
    const created = await call(demo, 'POST', '/api/flawed/tags', { headers: JSON_BODY, body: '{"tag":"a"}' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/flawed/tags/1');
    for (const body of ['["a"]', '"a"', 'null', '{"tag":']) {
      expect((await call(demo, 'POST', '/api/flawed/tags', { headers: JSON_BODY, body })).status, body).toBe(500);
    }
    expectProblem(await call(demo, 'POST', '/api/flawed/tags', { headers: JSON_BODY, body: '{}' }), 422);
  },
  'GET /api/flawed/tags/:id': async (demo) => {
    const created = await call(demo, 'POST', '/api/flawed/tags', { headers: JSON_BODY, body: '{"tag":"classic"}' });
    const tag = await call(demo, 'GET', created.headers.location ?? '');
    expect(tag.status).toBe(200);
    expect(json(tag)).toEqual({ id: 1, tag: 'classic' });
    expectProblem(await call(demo, 'GET', '/api/flawed/tags/2'), 404);
  },
  'GET /api/flawed/notes/:id': async (demo) => {
    expect((await call(demo, 'GET', '/api/flawed/notes/1', { headers: AUTH })).status).toBe(200);
    expect((await call(demo, 'GET', '/api/flawed/notes/1', { headers: { cookie: 'theme=dark; session=abc' } })).status).toBe(200);
    expectProblem(await call(demo, 'GET', '/api/flawed/notes/1'), 404);
  },
  'GET /api/flawed/reports/:id': async (demo) => {
    const anonymous = await call(demo, 'GET', '/api/flawed/reports/1');
    expectProblem(anonymous, 401);
    expect(anonymous.headers['www-authenticate']).toBeDefined();
    expect((await call(demo, 'GET', '/api/flawed/reports/1', { headers: AUTH })).status).toBe(200);
    expect((await call(demo, 'GET', '/api/flawed/reports/1?preview=1')).status).toBe(200);
  },
  'HEAD /api/flawed/reports/:id': async (demo) => {
    const length = (await call(demo, 'GET', '/api/flawed/reports/1', { headers: AUTH })).body.length;
    const { head, after } = await rawExchange(demo, 'HEAD', '/api/flawed/reports/1');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(headerOf(head, 'content-length')).toBe(String(length));
    expect(after.length).toBe(0);
  },
  'POST /api/flawed/uploads': async (demo) => {
    const created = await call(demo, 'POST', '/api/flawed/uploads', { headers: JSON_BODY, body: '{}' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/flawed/uploads/1');
  },
  'GET /api/flawed/uploads/:id': async (demo) => {
    const created = await call(demo, 'POST', '/api/flawed/uploads', { headers: JSON_BODY, body: '{}' });
    expectProblem(await call(demo, 'GET', created.headers.location ?? ''), 404);
  },
  'DELETE /api/flawed/users/:id': async (demo) => {
    const deleted = await call(demo, 'DELETE', '/api/flawed/users/7');
    expect(deleted.status).toBe(204);
    expect(deleted.body.length).toBe(0);
  },
  'GET /api/flawed/users/:id': async (demo) => {
    await call(demo, 'DELETE', '/api/flawed/users/7');
    const still = await call(demo, 'GET', '/api/flawed/users/7');
    expect(still.status).toBe(200);
    expect(json(still)).toMatchObject({ id: 7 });
  },
  'GET /api/flawed/todos/:id': async (demo) => {
    expect(json(await call(demo, 'GET', '/api/flawed/todos/1'))).toMatchObject({ id: 1 });
  },
  'HEAD /api/flawed/todos/:id': async (demo) => {
    expect((await call(demo, 'HEAD', '/api/flawed/todos/1')).status).toBe(404);
  },
  'GET /api/flawed/settings/:name': async (demo) => {
    expect(json(await call(demo, 'GET', '/api/flawed/settings/theme'))).toMatchObject({ name: 'theme' });
  },
  'PUT /api/flawed/settings/:name': async (demo) => {
    const put = await call(demo, 'PUT', '/api/flawed/settings/theme', { headers: JSON_BODY, body: '{"value":"light"}' });
    expect(put.status).toBe(200);
    expect(json(put)).toMatchObject({ name: 'theme', value: 'light' });
    expectProblem(await call(demo, 'PUT', '/api/flawed/settings/theme', { headers: JSON_BODY, body: '{' }), 400);
  },
  'POST /api/flawed/settings/:name': async (demo) => {
    const refused = await call(demo, 'POST', '/api/flawed/settings/theme', { headers: JSON_BODY, body: '{}' });
    expectProblem(refused, 405);
    expect(refused.headers.allow).toBe('GET');
    // Another method there gets the Allow the table implies, the refusing POST left out.
    expect((await call(demo, 'PATCH', '/api/flawed/settings/theme')).headers.allow).toBe('GET, PUT, HEAD, OPTIONS');
  },
  'GET /api/flawed/profiles/:id': async (demo) => {
    expectProblem(await call(demo, 'GET', '/api/flawed/profiles/404'), 404);
    await call(demo, 'PUT', '/api/flawed/profiles/5', { headers: JSON_BODY, body: '{"name":"Ada"}' });
    expect(json(await call(demo, 'GET', '/api/flawed/profiles/5'))).toEqual({ name: 'Ada', id: '5' });
  },
  'DELETE /api/flawed/profiles/:id': async (demo) => {
    await call(demo, 'PUT', '/api/flawed/profiles/6', { headers: JSON_BODY, body: '{"name":"Ada"}' });
    expect((await call(demo, 'DELETE', '/api/flawed/profiles/6')).status).toBe(204);
    expectProblem(await call(demo, 'GET', '/api/flawed/profiles/6'), 404);
  },
  'PUT /api/flawed/profiles/:id': async (demo) => {
    await call(demo, 'DELETE', '/api/flawed/profiles/9');
    expect((await call(demo, 'PUT', '/api/flawed/profiles/9', { headers: JSON_BODY, body: '{"name":"Ada"}' })).status).toBe(200);
    expect((await call(demo, 'PUT', '/api/flawed/profiles/9', { headers: JSON_BODY, body: '{"name":"Bea"}' })).status).toBe(200);
    expectProblem(await call(demo, 'PUT', '/api/flawed/profiles/9', { headers: JSON_BODY, body: '[1]' }), 422);
  },
};

const ROUTES = demoRoutes();

describe('the demo route table', () => {
  test('has one expectation here per row, and no other', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  test.for(Object.entries(EXPECTED))('%s', async ([, check], { demo }) => {
    await check(demo);
  });

  test('names contract rule ids only, and shows every rule of the contract', () => {
    const named = new Set(ROUTES.flatMap((route) => (route.rule === undefined ? [] : [route.rule])));
    expect([...named].filter((rule) => !(RULE_IDS as readonly string[]).includes(rule))).toEqual([]);
    expect(RULE_IDS.filter((rule) => !named.has(rule))).toEqual([]);
  });

  test.for(ROUTES.filter((route) => route.rule !== undefined && route.try !== undefined).map((route) => [`${route.method} ${route.path}`, route] as const))(
    'flawed %s answers the same sequence every time',
    async ([, route], { demo }) => {
      const statuses = async (): Promise<number[]> => {
        const seen: number[] = [];
        for (const step of route.try ?? []) {
          const options = { headers: { ...step.headers, connection: 'close' }, body: step.body };
          // Bodiless answers followed by stray bytes: read the status line from the socket.
          if ((step.method === 'HEAD' && route.rule === 'body-on-head') || route.rule === 'body-on-no-content') {
            seen.push(Number((await rawExchange(demo, step.method, step.path, step.headers)).head.slice(9, 12)));
          } else seen.push((await call(demo, step.method, step.path, options)).status);
        }
        return seen;
      };
      expect(await statuses()).toEqual(await statuses());
    },
  );
});

describe('routing around the table', () => {
  test('an unknown path is a 404 problem, a malformed escape too', async ({ demo }) => {
    expectProblem(await call(demo, 'GET', '/nope'), 404);
    expectProblem(await call(demo, 'GET', '/api/books/%E0%A4%A'), 404);
  });

  test('an unsupported method is a 405 whose Allow lists what works (never a refusing row)', async ({ demo }) => {
    const put = await call(demo, 'PUT', '/api/books');
    expectProblem(put, 405);
    expect(put.headers.allow?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
    const archive = await call(demo, 'PUT', '/api/flawed/archive');
    expect(archive.headers.allow?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  test('OPTIONS answers 204 with Allow', async ({ demo }) => {
    const options = await call(demo, 'OPTIONS', '/api/books/1');
    expect(options.status).toBe(204);
    expect(options.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'PUT']);
    expect(options.body.length).toBe(0);
  });

  test('HEAD of a GET route: the same headers, no bytes of content on the wire', async ({ demo }) => {
    const get = await call(demo, 'GET', '/api/books');
    const { head, after } = await rawExchange(demo, 'HEAD', '/api/books');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(headerOf(head, 'content-length')).toBe(String(get.body.length));
    expect(after.length).toBe(0);
  });

  test('credentials are any default credential header or cookie', async ({ demo }) => {
    for (const headers of [{ 'x-api-key': 'k' }, { cookie: 'connect.sid=s%3Aabc' }, { cookie: 'a=1;  PHPSESSID=x' }]) {
      expect((await call(demo, 'GET', '/api/me', { headers })).status, JSON.stringify(headers)).toBe(200);
    }
    expect((await call(demo, 'GET', '/api/me', { headers: { cookie: 'theme=dark; xsession=1' } })).status).toBe(401);
  });
});

describe('robustness', () => {
  test('a body beyond 1 MiB is refused with 413, and the server keeps serving', async ({ demo }) => {
    const big = Buffer.alloc(MAX_DEMO_BODY_BYTES + 1, 0x61);
    expectProblem(await call(demo, 'POST', '/api/books', { headers: JSON_BODY, body: big }), 413);
    const atLimit = Buffer.from(`{"title":"${'a'.repeat(MAX_DEMO_BODY_BYTES - 12)}"}`);
    expect(atLimit.length).toBe(MAX_DEMO_BODY_BYTES);
    expect((await call(demo, 'POST', '/api/books', { headers: JSON_BODY, body: atLimit })).status).toBe(201);
  });

  test('aborted requests and garbage on the wire do not bring it down', async ({ demo }) => {
    const { hostname, port } = new URL(demo.url);
    const send = (bytes: string): Promise<void> =>
      new Promise((resolve) => {
        const socket = net.connect(Number(port), hostname, () => {
          socket.write(bytes);
          setTimeout(() => socket.destroy(), 20);
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
      });
    await send('POST /api/books HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":');
    await send('POST /api/books HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"tit');
    await send('NOT HTTP AT ALL\r\n\r\n');
    await send('GET /api/books HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
    expect((await call(demo, 'GET', '/api/books')).status).toBe(200);
  });

  test('close() stops it, even with an idle keep-alive connection open', async () => {
    const demo = await startDemoBackend();
    const socket = net.connect(Number(new URL(demo.url).port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    await demo.close();
    await expect(call(demo, 'GET', '/api/books')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('demoCurlLines', () => {
  const base = 'http://127.0.0.1:8080';
  const lines = demoCurlLines(base, true);

  test('one line per flawed endpoint, commented with its rule, and a couple of well-formed ones', () => {
    const flawed = ROUTES.filter((route) => route.rule !== undefined && route.try !== undefined);
    expect(lines.filter((line) => line.includes('   # '))).toHaveLength(flawed.length);
    for (const rule of RULE_IDS) expect(lines.some((line) => line.endsWith(`# ${rule}`)), rule).toBe(true);
    expect(lines.filter((line) => !line.includes('   # ')).length).toBeGreaterThanOrEqual(2);
  });

  test('every line is a curl command against the given base', () => {
    for (const line of lines) {
      expect(line).toMatch(/^curl -s[iI] /);
      expect(line).toContain(`${base}/api/`);
      expect(line).not.toMatch(/ [^' ]*\?/); // a bare `?` is a glob to zsh
    }
    expect(lines.find((line) => line.endsWith('# server-error-on-bad-input') && line.includes('["a"]'))).toContain(`; curl -si -X POST ${base}/api/flawed/tags`);
    expect(lines.find((line) => line.includes('preview'))).toContain(`'${base}/api/flawed/reports/1?preview=1'`);
  });
});
