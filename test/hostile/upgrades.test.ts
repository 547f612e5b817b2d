import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample, startAudit, type RunningAudit } from '../helpers/audit.js';
import { startRawBackend, type RawBackend } from '../helpers/raw-backend.js';
import { sendRaw, statusOf } from './wire.js';

/** The content of a chunked body that must end with its last chunk. */
function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, line), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk in ${JSON.stringify(text)}`);
    if (size === 0) return rest.slice(line) === '\r\n\r\n' ? out : `${out}<unterminated>`;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** Upgrades restaudit does not tunnel are ordinary exchanges: framed, timed out, audited. */
describe('hostile upgrades', () => {
  let backend: RawBackend;
  let audit: RunningAudit;
  beforeAll(async () => {
    backend = await startRawBackend((connection) => {
      void connection.head().then((head) => {
        const path = head.split(' ')[1];
        if (path === '/h2c') connection.socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${head.length}\r\n\r\n${head}`);
        else if (path === '/ws-500') connection.socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{"error":\r\n9\r\n"broken"}\r\n0\r\n\r\n');
        else if (path === '/ws-200') connection.socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nplain');
        // /ws-silent: never answers.
      }, () => undefined);
    });
    audit = await startAudit(backend.url, { upstream: { timeoutMs: 400 } });
  });
  afterAll(async () => {
    await audit.close();
    await backend.close();
  });

  it('serves an h2c upgrade as plain HTTP/1.1: the backend sees no Upgrade, the client a whole answer', async () => {
    const reply = await sendRaw(audit.port, 'GET /h2c HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n', 3000);
    expect(statusOf(reply.text)).toBe(200);
    expect(reply.text).toContain('Connection: close\r\n');
    expect(reply.closed).toBe(true);
    const seen = reply.text.slice(reply.text.indexOf('\r\n\r\n') + 4);
    expect(seen).toMatch(/^GET \/h2c HTTP\/1\.1/);
    expect(seen.toLowerCase()).not.toContain('upgrade');
    expect(seen.toLowerCase()).not.toContain('http2-settings');
  });

  it('answers a WebSocket request that the backend answers 500 (chunked) as an ordinary, audited exchange', async () => {
    const reply = await sendRaw(audit.port, `GET /ws-500 HTTP/1.1\r\nHost: x\r\n${WS}\r\n`, 3000);
    expect(statusOf(reply.text)).toBe(500);
    // Framed for the client: the chunks decode to the backend's body.
    const body = reply.text.slice(reply.text.indexOf('\r\n\r\n') + 4);
    expect(reply.text).toContain('Transfer-Encoding: chunked\r\n');
    expect(dechunk(body)).toBe('{"error":"broken"}');
    expect(reply.closed).toBe(true);
    const plain = await sendRaw(audit.port, `GET /ws-200 HTTP/1.1\r\nHost: x\r\n${WS}\r\n`, 3000);
    expect(plain.text).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nplain$/);
    await audit.settled(2);
    expect(audit.exchanges.map((exchange) => [exchange.path, exchange.status])).toEqual(expect.arrayContaining([['/ws-500', 500], ['/ws-200', 200]]));
    const metrics = await audit.metrics();
    expect(sample(metrics, 'restaudit_requests_total', { route: '/ws-500', status: '500' })).toBe(1);
  });

  it('times out a WebSocket request the backend never answers: 504', async () => {
    const reply = await sendRaw(audit.port, `GET /ws-silent HTTP/1.1\r\nHost: x\r\n${WS}\r\n`, 3000);
    expect(statusOf(reply.text)).toBe(504);
    expect(reply.ms).toBeLessThan(2000);
    expect(sample(await audit.metrics(), 'restaudit_proxy_errors_total', { reason: 'timeout' })).toBe(1);
  });
});
