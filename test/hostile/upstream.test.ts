import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sample, startAudit, type RunningAudit } from '../helpers/audit.js';
import { startRawBackend, type RawBackend, type RawConnection } from '../helpers/raw-backend.js';
import { eventually } from '../helpers/servers.js';
import { sendRaw, statusOf } from './wire.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A raw backend that answers once it has the request head, with restaudit in front. */
async function behind(answer: (connection: RawConnection) => void, config: Record<string, unknown> = {}): Promise<{ backend: RawBackend; audit: RunningAudit }> {
  const backend = await startRawBackend((connection) => void connection.head().then(() => answer(connection), () => undefined));
  const audit = await startAudit(backend.url, config);
  cleanups.push(() => backend.close(), () => audit.close());
  return { backend, audit };
}

/**
 * A listening socket that never accepts (Python, since Node accepts whatever arrives), its
 * one-place accept queue filled: the kernel answers no further SYN, so a connect hangs.
 */
async function unansweredListener(): Promise<number> {
  const listener = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    listener.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    listener.once('error', reject);
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => undefined));
  cleanups.push(async () => {
    for (const filler of fillers) filler.destroy();
    const exited = new Promise((resolve) => listener.once('exit', resolve));
    listener.kill();
    await exited;
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  return port;
}

const proxyErrors = async (audit: RunningAudit, reason: string): Promise<number> => sample(await audit.metrics(), 'restaudit_proxy_errors_total', { reason }) ?? 0;
const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
const proxyErrorLine = (audit: RunningAudit, reason: string): Record<string, unknown> | undefined => audit.lines.find((line) => line.msg === 'proxy error' && line.reason === reason);

describe('hostile upstreams: what the client got, what was counted and logged', () => {
  it('counts upstream.timeoutMs from the request sent in full: a 1 s upload with timeoutMs 300 gets its 200', async () => {
    const { audit } = await behind((connection) => {
      const bodyAt = connection.received().indexOf('\r\n\r\n') + 4;
      void connection.until(bodyAt + 10).then(() => connection.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    }, { upstream: { timeoutMs: 300 } });
    const head = 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n';
    const reply = await sendRaw(audit.port, [head, ...'abcdefghij'], 5000, undefined, 100);
    expect(statusOf(reply.text)).toBe(200);
    expect(reply.ms).toBeGreaterThanOrEqual(900);
    expect(await proxyErrors(audit, 'timeout')).toBe(0);
  });

  it('answers 504 when the upstream never completes the connection, connectTimeoutMs after the connect', async () => {
    const port = await unansweredListener();
    const audit = await startAudit(`http://127.0.0.1:${port}`, { upstream: { connectTimeoutMs: 300, timeoutMs: 10_000 } });
    cleanups.push(() => audit.close());
    const reply = await sendRaw(audit.port, GET('/never'), 5000);
    expect(statusOf(reply.text)).toBe(504);
    expect(reply.ms).toBeGreaterThanOrEqual(280);
    expect(reply.ms).toBeLessThan(3000);
    expect(await proxyErrors(audit, 'timeout')).toBe(1);
    expect(proxyErrorLine(audit, 'timeout')).toMatchObject({ path: '/never', status: 504, err: 'no connection to the upstream within 300 ms' });
  });

  it('answers 504 when a healthy upload is followed by silence, timeoutMs after the last byte', async () => {
    const { audit } = await behind(() => undefined, { upstream: { timeoutMs: 300 } });
    const reply = await sendRaw(audit.port, GET('/silent'), 3000);
    expect(statusOf(reply.text)).toBe(504);
    expect(reply.ms).toBeGreaterThanOrEqual(280);
    expect(reply.ms).toBeLessThan(1500);
    expect(await proxyErrors(audit, 'timeout')).toBe(1);
  });

  it('cuts a response whose body stalls after the head (idleTimeoutMs), counted and logged as timeout', async () => {
    const { backend, audit } = await behind((connection) => connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial'), { upstream: { idleTimeoutMs: 300 } });
    const reply = await sendRaw(audit.port, GET('/stall'), 3000);
    expect(reply.closed).toBe(true);
    expect(reply.text).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*partial$/);
    expect(reply.ms).toBeLessThan(1500);
    await eventually(async () => ((await proxyErrors(audit, 'timeout')) === 1 ? true : undefined));
    expect(proxyErrorLine(audit, 'timeout')).toMatchObject({ path: '/stall', status: 200 });
    await eventually(() => (backend.connections[0]?.socket.destroyed === true ? true : undefined));
  });

  it('answers 502 at once to a 101 that a plain GET never asked for', async () => {
    const { audit } = await behind((connection) => connection.socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\nraw bytes'), { upstream: { timeoutMs: 5000 } });
    const reply = await sendRaw(audit.port, GET('/switch'), 3000);
    expect(statusOf(reply.text)).toBe(502);
    expect(reply.ms).toBeLessThan(1000);
    expect(reply.text).not.toContain('raw bytes');
    expect(proxyErrorLine(audit, 'other')).toMatchObject({ path: '/switch', status: 502 });
  });

  it('ends a close-delimited response for the client when the upstream closes', async () => {
    const { audit } = await behind((connection) => {
      connection.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close');
      setTimeout(() => connection.socket.end(), 200);
    });
    const keepAlive = await sendRaw(audit.port, 'GET /cd HTTP/1.1\r\nHost: x\r\n\r\n', 3000, (text) => text.endsWith('0\r\n\r\n'));
    expect(keepAlive.text).toMatch(/Transfer-Encoding: chunked\r\n\r\nb\r\nuntil close\r\n0\r\n\r\n$/);
    expect(keepAlive.ms).toBeLessThan(1000);
    const http10 = await sendRaw(audit.port, 'GET /cd HTTP/1.0\r\n\r\n', 3000);
    expect(http10.closed).toBe(true);
    expect(http10.text.endsWith('\r\n\r\nuntil close')).toBe(true);
    expect(http10.ms).toBeLessThan(1000);
  });

  it('answers 502 to an oversize upstream head and to broken upstream framing', async () => {
    const { audit } = await behind((connection) => {
      const path = / (\S+) /.exec(connection.received().toString('latin1'))?.[1];
      if (path === '/big-head') connection.socket.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`);
      else if (path === '/bad-length') connection.socket.end('HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nx');
      else connection.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n');
    });
    for (const path of ['/big-head', '/bad-length', '/cl-and-te']) expect(statusOf((await sendRaw(audit.port, GET(path))).text)).toBe(502);
    expect(await proxyErrors(audit, 'other')).toBe(3);
  });

  it('passes 1xx answers before the final 200', async () => {
    const { audit } = await behind((connection) => connection.socket.end('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const reply = await sendRaw(audit.port, GET('/hints'), 3000);
    expect(reply.text).toMatch(/HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nok$/);
    expect(await proxyErrors(audit, 'other')).toBe(0);
  });

  it('cuts an endless chunked response when the client goes away, and keeps serving', async () => {
    let writing = true;
    const { backend, audit } = await behind((connection) => {
      connection.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
      const pump = (): void => {
        while (writing && !connection.socket.destroyed && connection.socket.write(chunk));
        if (writing && !connection.socket.destroyed) connection.socket.once('drain', pump);
      };
      pump();
    });
    const reply = await sendRaw(audit.port, GET('/endless'), 5000, (text) => text.length > 8 * 1024 * 1024);
    expect(reply.text.length).toBeGreaterThan(8 * 1024 * 1024);
    await eventually(() => (backend.connections[0]?.socket.destroyed === true ? true : undefined));
    writing = false;
    expect(audit.lines.find((line) => line.msg === 'client aborted')).toMatchObject({ path: '/endless', phase: 'response' });
  });

  it('answers 408 to a client whose body stalls (client.bodyTimeoutMs), and the backend sees its request cut', async () => {
    const { backend, audit } = await behind(() => undefined, { client: { bodyTimeoutMs: 300 } });
    const reply = await sendRaw(audit.port, 'POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly this', 3000);
    expect(statusOf(reply.text)).toBe(408);
    expect(reply.closed).toBe(true);
    expect(reply.ms).toBeLessThan(1500);
    await eventually(() => (backend.connections[0]?.socket.destroyed === true ? true : undefined));
    expect(audit.lines.find((line) => line.msg === 'client timeout')).toMatchObject({ path: '/stalled' });
    expect(sample(await audit.metrics(), 'restaudit_requests_total', { status: '408' })).toBe(1);
  });

  it('closes a connection whose head never completes (client.headerTimeoutMs): slowloris', async () => {
    const { backend, audit } = await behind(() => undefined, { client: { headerTimeoutMs: 300 } });
    const reply = await sendRaw(audit.port, ['GET / HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n', 'X-C: 3\r\n', 'X-D: 4\r\n', 'X-E: 5\r\n', 'X-F: 6\r\n'], 3000, undefined, 100);
    expect(statusOf(reply.text)).toBe(408);
    expect(reply.closed).toBe(true);
    expect(reply.ms).toBeLessThan(1000);
    expect(backend.totalBytes()).toBe(0);
  });
});
