import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit, type RunningAudit } from '../helpers/audit.js';
import { answerEach, startRawBackend, type RawBackend } from '../helpers/raw-backend.js';
import { sendRaw, statusOf } from './wire.js';

/** Requests whose framing two parsers could read differently: each must be refused whole. */
const SMUGGLING: ReadonlyArray<readonly [string, string]> = [
  ['CL then TE', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX'],
  ['TE then CL', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nX'],
  ['two different Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
  ['two equal Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab'],
  ['listed Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\nab'],
  ['Content-Length with a sign', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\nab'],
  ['negative Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nab'],
  ['TE chunked then identity', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n'],
  ['TE xchunked', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n'],
  ['TE with space before colon', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'],
  ['two TE lines, chunked not last', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n'],
  ['TE folded (obs-fold)', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n'],
  ['obs-fold in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n'],
  ['bare LF line ends', 'GET / HTTP/1.1\nHost: x\n\n'],
  ['bare CR in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\rc\r\n\r\n'],
  ['control character in a header name', 'GET / HTTP/1.1\r\nHost: x\r\nX\u0001A: b\r\n\r\n'],
  ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\u0000c\r\n\r\n'],
  ['chunk-size overflow', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nab\r\n0\r\n\r\n'],
  ['chunk-size not hex', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x2\r\nab\r\n0\r\n\r\n'],
  ['space in a header name', 'GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n'],
];

describe('hostile framing: what the client sent, what the backend saw', () => {
  let backend: RawBackend;
  let audit: RunningAudit;
  beforeAll(async () => {
    backend = await startRawBackend(answerEach((head) => {
      const target = head.split(' ')[1] ?? '';
      const echoed = `target=${target}`;
      return `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${echoed.length}\r\n\r\n${echoed}`;
    }));
    audit = await startAudit(backend.url);
  });
  afterAll(async () => {
    await audit.close();
    await backend.close();
  });

  it('refuses 20 smuggling and framing variants with 400, and nothing reaches the backend', async () => {
    const replies = await Promise.all(SMUGGLING.map(([, bytes]) => sendRaw(audit.port, bytes, 3000)));
    const statuses = Object.fromEntries(SMUGGLING.map(([name], i) => [name, statusOf(replies[i]?.text ?? '')]));
    expect(statuses).toEqual(Object.fromEntries(SMUGGLING.map(([name]) => [name, 400])));
    expect(replies.every((reply) => reply.closed)).toBe(true);
    expect(backend.totalBytes()).toBe(0);
    expect(audit.lines.filter((line) => line.msg === 'client error')).toHaveLength(SMUGGLING.length);
    // Still serving.
    expect(statusOf((await sendRaw(audit.port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).text)).toBe(200);
  });

  it('cuts a chunked body whose framing breaks mid-way: 400, and the backend never sees the smuggled bytes', async () => {
    const reply = await sendRaw(audit.port, 'POST /cut HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(reply.text)).toBe(400);
    expect(reply.closed).toBe(true);
    const seen = backend.connections.map((connection) => connection.received().toString('latin1')).join('');
    expect(seen).not.toContain('/smuggled');
  });

  it('passes one Host of two, refuses CONNECT, a 100 KB URL and 10,000 headers (431); nothing else reaches the backend', async () => {
    const twoHosts = await sendRaw(audit.port, 'GET /hosts HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n');
    expect(statusOf(twoHosts.text)).toBe(200);
    const seen = backend.connections.map((connection) => connection.received().toString('latin1')).join('');
    const hostLines = seen.slice(seen.indexOf('GET /hosts')).split('\r\n\r\n')[0]?.split('\r\n').filter((line) => /^host:/i.test(line));
    expect(hostLines).toEqual(['host: a']);
    const before = backend.totalBytes();
    const connect = await sendRaw(audit.port, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
    const longUrl = await sendRaw(audit.port, `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const manyHeaders = await sendRaw(audit.port, `GET / HTTP/1.1\r\nHost: x\r\n${'X-H: v\r\n'.repeat(10_000)}\r\n`);
    expect(connect.closed).toBe(true);
    expect(statusOf(connect.text)).not.toBe(200);
    expect(statusOf(longUrl.text)).toBe(431);
    expect(statusOf(manyHeaders.text)).toBe(431);
    expect(backend.totalBytes()).toBe(before);
  });

  it('passes 1,500 request headers and 1,500 response headers whole (none dropped)', async () => {
    const many = await startRawBackend((connection) => {
      void connection.head().then((head) => {
        const seen = head.split('\r\n').filter((line) => line.startsWith('x-h')).length;
        connection.socket.end(`HTTP/1.1 200 OK\r\nX-Seen: ${seen}\r\n${Array.from({ length: 1500 }, (_, i) => `X-R${i}: ${i}\r\n`).join('')}Content-Length: 0\r\n\r\n`);
      });
    });
    const proxied = await startAudit(many.url);
    try {
      const headers = Array.from({ length: 1500 }, (_, i) => `x-h${i}: ${i}\r\n`).join('');
      const reply = await sendRaw(proxied.port, `GET / HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);
      expect(statusOf(reply.text)).toBe(200);
      expect(reply.text).toContain('X-Seen: 1500\r\n');
      expect(reply.text.split('\r\n').filter((line) => line.startsWith('X-R'))).toHaveLength(1500);
    } finally {
      await proxied.close();
      await many.close();
    }
  });

  it('keeps the request-target: OPTIONS * stays *, absolute-form reaches the backend as its path', async () => {
    const options = await sendRaw(audit.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(options.text).toContain('target=*');
    const absolute = await sendRaw(audit.port, 'GET http://x/abs/path?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(statusOf(absolute.text)).toBe(200);
    expect(absolute.text).toContain('target=/abs/path?q=1');
  });

  it('replaces client-sent X-Forwarded-Host/-Proto and appends to X-Forwarded-For', async () => {
    await sendRaw(audit.port, 'GET /fwd HTTP/1.1\r\nHost: real.example:8080\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n');
    const seen = backend.connections.map((connection) => connection.received().toString('latin1')).join('');
    const head = seen.slice(seen.indexOf('GET /fwd')).split('\r\n\r\n')[0] ?? '';
    const forwarded = head.split('\r\n').filter((line) => line.startsWith('x-forwarded-'));
    expect(forwarded).toEqual(expect.arrayContaining(['x-forwarded-proto: http', 'x-forwarded-host: real.example:8080', 'x-forwarded-for: 203.0.113.9, 127.0.0.1', 'x-forwarded-port: 8080']));
    expect(head).not.toContain('https');
    expect(head).not.toContain('evil');
  });

  it('serves HTTP/1.0 and 0.9, Expect: 100-continue and pipelined requests', async () => {
    const http10 = await sendRaw(audit.port, 'GET /ten HTTP/1.0\r\n\r\n');
    expect(http10.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(http10.text.endsWith('target=/ten')).toBe(true);
    expect(http10.closed).toBe(true);
    // Node reads an HTTP/0.9 request line as HTTP/1.0: answered once, then closed.
    const http09 = await sendRaw(audit.port, 'GET /nine\r\n\r\n');
    expect(http09.closed).toBe(true);
    expect(http09.text.endsWith('target=/nine')).toBe(true);
    const expecting = await sendRaw(audit.port, 'POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n', 3000, (text) => text.includes('100 Continue'));
    expect(expecting.text).toMatch(/^HTTP\/1\.1 100 Continue/);
    const pipelined = await sendRaw(audit.port, ['GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(pipelined.text.match(/target=\/p\d/g)).toEqual(['target=/p1', 'target=/p2', 'target=/p3']);
    expect(await audit.metrics()).not.toMatch(/^restaudit_proxy_errors_total\{.*\} [1-9]/m);
  });
});
