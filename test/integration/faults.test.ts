import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sample, startAudit, type RunningAudit } from '../helpers/audit.js';
import { eventually, request, startBackend } from '../helpers/servers.js';

/** A raw TCP "upstream" that answers each connection with whatever `answer` writes. */
async function startRawUpstream(answer: (socket: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => answer(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function audit(target: string, config: Record<string, unknown> = {}): Promise<RunningAudit> {
  const running = await startAudit(target, config);
  cleanups.push(() => running.close());
  return running;
}

function proxyErrors(text: string, reason: string): number | undefined {
  return sample(text, 'restaudit_proxy_errors_total', { reason });
}

describe('faults: the proxy keeps serving and says what happened', () => {
  it('answers 502 problem+json when the upstream refuses connections', async () => {
    const closed = await startBackend(() => {});
    await closed.close();
    const running = await audit(closed.url);
    const answer = await request(`${running.url}/anything`);
    expect(answer.status).toBe(502);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body.toString())).toMatchObject({ status: 502, reason: 'connect_refused' });
    const text = await running.metrics();
    expect(proxyErrors(text, 'connect_refused')).toBe(1);
    expect(sample(text, 'restaudit_violations_total')).toBeUndefined();
    expect(running.lines.find((line) => line.msg === 'proxy error')).toMatchObject({ reason: 'connect_refused', status: 502 });
    // Still serving.
    expect((await request(`${running.url}/again`)).status).toBe(502);
  });

  it('answers 502 with reason dns when the upstream name does not resolve', async () => {
    const running = await audit('http://restaudit-no-such-host.invalid:9');
    const answer = await request(`${running.url}/x`);
    expect(answer.status).toBe(502);
    expect(proxyErrors(await running.metrics(), 'dns')).toBe(1);
  });

  it('answers 504 when no response headers arrive within upstream.timeoutMs', async () => {
    const slow = await startBackend((_req, res) => {
      const timer = setTimeout(() => res.end('late'), 2000);
      res.on('close', () => clearTimeout(timer));
    });
    cleanups.push(() => slow.close());
    const running = await audit(slow.url, { upstream: { timeoutMs: 150 } });
    const started = Date.now();
    const answer = await request(`${running.url}/slow`);
    expect(answer.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ status: 504, reason: 'timeout' });
    expect(proxyErrors(await running.metrics(), 'timeout')).toBe(1);
  });

  it('cuts the client response off when the upstream resets mid-body, and counts it', async () => {
    const upstream = await startRawUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\npartial');
      setTimeout(() => socket.resetAndDestroy(), 30);
    });
    cleanups.push(() => upstream.close());
    const running = await audit(upstream.url);
    await expect(request(`${running.url}/reset`)).rejects.toThrow();
    await eventually(async () => proxyErrors(await running.metrics(), 'reset') === 1 || undefined);
    expect(running.lines.find((line) => line.msg === 'proxy error' && line.reason === 'reset')).toMatchObject({ status: 200, path: '/reset' });
    // Still serving: the next exchange is proxied (and cut off) the same way.
    await expect(request(`${running.url}/again`)).rejects.toThrow();
    await eventually(async () => proxyErrors(await running.metrics(), 'reset') === 2 || undefined);
  });

  it('answers 502 to a malformed upstream response', async () => {
    const upstream = await startRawUpstream((socket) => socket.end('this is not HTTP\r\n\r\n'));
    cleanups.push(() => upstream.close());
    const running = await audit(upstream.url);
    const answer = await request(`${running.url}/garbage`);
    expect(answer.status).toBe(502);
    expect(proxyErrors(await running.metrics(), 'other')).toBe(1);
  });

  it('records a client that aborts mid-upload and keeps serving', async () => {
    let upstreamSawAbort = false;
    const backend = await startBackend((req, res) => {
      req.on('data', () => {});
      req.on('aborted', () => (upstreamSawAbort = true));
      req.on('close', () => {
        if (!req.complete) upstreamSawAbort = true;
      });
      req.on('end', () => res.end('done'));
    });
    cleanups.push(() => backend.close());
    const running = await audit(backend.url);
    await new Promise<void>((resolve) => {
      const req = http.request(`${running.url}/upload`, { method: 'POST', agent: false, headers: { 'content-length': 1_000_000 } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(64 * 1024, 1), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    const line = await eventually(() => running.lines.find((entry) => entry.msg === 'client aborted'));
    expect(line).toMatchObject({ method: 'POST', path: '/upload', phase: 'request' });
    await eventually(() => upstreamSawAbort || undefined);
    expect(sample(await running.metrics(), 'restaudit_requests_total', { status: '499' })).toBe(1);
    expect((await request(`${running.url}/after`)).status).toBe(200);
  });

  it('streams 10 MiB both ways and marks the inspection copies truncated', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    const backend = await startBackend((req, res) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => (size += chunk.length));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-received': String(size) });
        res.end(big);
      });
    });
    cleanups.push(() => backend.close());
    const running = await audit(backend.url);
    const answer = await request(`${running.url}/big`, { method: 'POST', body: big, headers: { 'content-type': 'application/octet-stream' } });
    expect(answer.headers['x-received']).toBe(String(big.length));
    expect(answer.body.equals(big)).toBe(true);
    await running.settled(1);
    const exchange = running.exchanges[0];
    expect(exchange?.requestBody.truncated).toBe(true);
    expect(exchange?.responseBody.truncated).toBe(true);
    expect(exchange?.requestBody.bytes.length).toBe(65536);
    expect(exchange?.responseBody.size).toBe(big.length);
    const text = await running.metrics();
    expect(sample(text, 'restaudit_inspection_truncated_total', { direction: 'request' })).toBe(1);
    expect(sample(text, 'restaudit_inspection_truncated_total', { direction: 'response' })).toBe(1);
    // A truncated JSON copy is not judged as invalid JSON.
    expect(running.violationLines().filter((line) => line.rule === 'invalid-json-response')).toHaveLength(0);
  });

  it('logs a malformed client request and keeps serving', async () => {
    const backend = await startBackend((_req, res) => res.end('ok'));
    cleanups.push(() => backend.close());
    const running = await audit(backend.url);
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(running.port, '127.0.0.1', () => socket.write('NOT A REQUEST\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(running.lines.some((line) => line.msg === 'client error')).toBe(true);
    expect((await request(`${running.url}/fine`)).body.toString()).toBe('ok');
  });
});
