import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit, type RunningAudit } from '../helpers/audit.js';
import { request, startBackend, type Received, type Started } from '../helpers/servers.js';

/** Hop-by-hop: they describe one connection, and each side of a proxy has its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection']);

function endToEnd(raw: string[]): string[][] {
  const pairs: string[][] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has((raw[i] as string).toLowerCase())) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

function expectSameAnswer(direct: Received, proxied: Received): void {
  expect(proxied.status).toBe(direct.status);
  expect(proxied.statusMessage).toBe(direct.statusMessage);
  // Same header lines, same order, same case, same repetitions.
  expect(endToEnd(proxied.rawHeaders)).toEqual(endToEnd(direct.rawHeaders));
  expect(proxied.body.equals(direct.body)).toBe(true);
  expect(proxied.rawTrailers).toEqual(direct.rawTrailers);
}

const TEN_MIB = randomBytes(10 * 1024 * 1024);
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const JSON_TEXT = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `item ${i}` })) });

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A backend whose answers never depend on time, so direct and proxied answers compare exactly. */
function handler(seen: Seen[]): http.RequestListener {
  return (req, res) => {
    res.sendDate = false;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '/').split('?')[0];
      switch (path) {
        case '/length':
          res.writeHead(200, 'Fine Thanks', { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(JSON_TEXT) });
          res.end(JSON_TEXT);
          return;
        case '/chunked':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first chunk, ');
          setTimeout(() => res.end('second chunk'), 5);
          return;
        case '/trailers':
          res.writeHead(200, { 'content-type': 'text/plain', trailer: 'X-Checksum, Server-Timing' });
          res.write('a body with trailer fields');
          res.addTrailers([['X-Checksum', 'sha256=abc'], ['Server-Timing', 'db;dur=53']]);
          res.end();
          return;
        case '/gzip': {
          const zipped = gzipSync(JSON_TEXT);
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': zipped.length, vary: 'Accept-Encoding' });
          res.end(zipped);
          return;
        }
        case '/binary':
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BINARY.length });
          res.end(BINARY);
          return;
        case '/big':
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': TEN_MIB.length });
          res.end(TEN_MIB);
          return;
        case '/empty':
          res.writeHead(200, { 'content-length': 0 });
          res.end();
          return;
        case '/cookies':
          res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly', 'c=3; Secure']);
          res.setHeader('Cache-Control', 'no-cache');
          res.writeHead(200, [
            'X-MiXeD-CaSe', 'Value',
            'x-lower', 'v',
            'Set-Cookie', 'a=1; Path=/',
            'Set-Cookie', 'b=2; HttpOnly',
            'Set-Cookie', 'c=3; Secure',
            'Cache-Control', 'no-cache',
            'Cache-Control', 'no-store',
            'Content-Length', '2',
          ]);
          res.end('ok');
          return;
        case '/echo': {
          const echoed = createHash('sha256').update(body).digest('hex');
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': echoed.length });
          res.end(echoed);
          return;
        }
        default:
          res.writeHead(404, { 'content-type': 'application/problem+json' });
          res.end(JSON.stringify({ title: 'Not Found', status: 404 }));
      }
    });
  };
}

describe('transparency: a client through restaudit gets what the backend sent', () => {
  const seen: Seen[] = [];
  let backend: Started;
  let audit: RunningAudit;

  beforeAll(async () => {
    backend = await startBackend(handler(seen));
    audit = await startAudit(backend.url);
  });
  afterAll(async () => {
    await audit.close();
    await backend.close();
  });

  async function both(path: string, options: Parameters<typeof request>[1] = {}): Promise<[Received, Received]> {
    const direct = await request(backend.url + path, options);
    const proxied = await request(audit.url + path, options);
    return [direct, proxied];
  }

  it.each(['/length', '/chunked', '/trailers', '/gzip', '/binary', '/empty', '/cookies', '/missing'])('GET %s: same status, header lines and body bytes', async (path) => {
    const [direct, proxied] = await both(path);
    expectSameAnswer(direct, proxied);
  });

  it('passes trailer fields on', async () => {
    const proxied = await request(`${audit.url}/trailers`);
    expect(proxied.rawTrailers).toEqual(['X-Checksum', 'sha256=abc', 'Server-Timing', 'db;dur=53']);
  });

  it('keeps a chunked body chunked and a gzip body compressed', async () => {
    const [, chunked] = await both('/chunked');
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    const [, zipped] = await both('/gzip', { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.equals(gzipSync(JSON_TEXT))).toBe(true);
  });

  it('passes a 10 MiB body through unchanged, both ways', async () => {
    const [direct, proxied] = await both('/big');
    expectSameAnswer(direct, proxied);
    const upload = await request(`${audit.url}/echo`, { method: 'POST', body: TEN_MIB, headers: { 'content-type': 'application/octet-stream' } });
    expect(upload.body.toString()).toBe(createHash('sha256').update(TEN_MIB).digest('hex'));
  });

  it.each([
    ['GET', { 'content-type': 'application/json', 'content-length': '13' }],
    ['DELETE', { 'content-type': 'application/json', 'content-length': '13' }],
    ['DELETE', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }],
    ['POST', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }],
  ])('delivers a %s body (%o) to the backend byte for byte', async (method, headers) => {
    seen.length = 0;
    const answer = await request(`${audit.url}/echo`, { method, headers, body: '{"reason":"x"}'.slice(0, 13) });
    expect(seen[0]?.body.toString()).toBe('{"reason":"x"'.slice(0, 13));
    expect(answer.body.toString()).toBe(createHash('sha256').update('{"reason":"x"}'.slice(0, 13)).digest('hex'));
  });

  it('forwards request-targets with odd encodings exactly', async () => {
    const targets = [
      '/echo?q=a%20b&q=c+d&empty=&flag',
      '/echo?redirect=http%3A%2F%2Fx%2Fy%3Fz%3D1&%E2%9C%93=%F0%9F%98%80',
      '/echo?a=%zz&b=%&c=%%41',
      '/echo//double//slashes/?x=1/2',
      '/echo;matrix=1;b=2?sort=-name,+id',
      "/echo?json=%7B%22a%22%3A%5B1%2C2%5D%7D&pipe=a|b&brace={x}&quote='",
    ];
    for (const target of targets) {
      seen.length = 0;
      const answer = await rawGet(audit.port, target);
      expect(answer).toMatch(/^HTTP\/1\.1 (200|404) /);
      expect(seen[0]?.url).toBe(target);
    }
  });

  it('passes request headers on, with X-Forwarded-* and an X-Request-Id', async () => {
    seen.length = 0;
    await request(`${audit.url}/echo`, { headers: { 'x-custom': 'Value With Case', cookie: 'a=1; b=2', host: 'api.example.test' } });
    const received = seen[0];
    expect(received?.headers['x-custom']).toBe('Value With Case');
    expect(received?.headers.cookie).toBe('a=1; b=2');
    expect(received?.headers.host).toBe('api.example.test');
    expect(received?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(received?.headers['x-forwarded-proto']).toBe('http');
    expect(received?.headers['x-forwarded-host']).toBe('api.example.test');
    expect(received?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    seen.length = 0;
    await request(`${audit.url}/echo`, { headers: { 'x-request-id': 'req-given-by-client' } });
    expect(seen[0]?.headers['x-request-id']).toBe('req-given-by-client');
  });

  it('handles Expect: 100-continue', async () => {
    const body = 'a body sent after 100 Continue';
    const answer = await new Promise<{ continued: boolean; text: string }>((resolve, reject) => {
      let continued = false;
      const req = http.request(`${audit.url}/echo`, { method: 'PUT', agent: false, headers: { expect: '100-continue', 'content-length': body.length } });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ continued, text }));
      });
      req.on('error', reject);
    });
    expect(answer.continued).toBe(true);
    expect(answer.text).toBe(createHash('sha256').update(body).digest('hex'));
  });
});

/** A GET written by hand, so that nothing normalises the request-target on the way. */
function rawGet(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
