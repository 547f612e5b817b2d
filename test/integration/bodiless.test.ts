import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sample, startAudit, type RunningAudit } from '../helpers/audit.js';
import { request } from '../helpers/servers.js';

/**
 * A hand-written upstream: keep-alive, answers `/bad` with a bodiless response followed by
 * stray bytes (in the same packet, or a moment later), anything else with a clean 200.
 */
async function startSloppyUpstream(strayDelayMs: number | 'same-packet') {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const [method, target] = head.split(' ');
        if (target === '/bad') {
          const status = method === 'HEAD' ? 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n' : 'HTTP/1.1 204 No Content\r\n\r\n';
          if (strayDelayMs === 'same-packet') socket.write(`${status}stray`);
          else {
            socket.write(status);
            setTimeout(() => socket.write('stray'), strayDelayMs);
          }
        } else {
          socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('bytes after a bodiless response', () => {
  it.each([
    ['DELETE', 'same-packet'],
    ['DELETE', 5],
    ['HEAD', 'same-packet'],
    ['HEAD', 5],
  ] as const)('%s answered bodiless with stray bytes (%s): detected, never a 502, connection not reused', async (method, delay) => {
    const upstream = await startSloppyUpstream(delay);
    cleanups.push(() => upstream.close());
    const running: RunningAudit = await startAudit(upstream.url);
    cleanups.push(() => running.close());
    const keepAlive = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => Promise.resolve(keepAlive.destroy()));

    const answer = await request(`${running.url}/bad`, { method, agent: keepAlive });
    expect(answer.status).toBe(method === 'HEAD' ? 200 : 204);
    expect(answer.body.length).toBe(0);
    await running.settled(1);
    expect(running.exchanges[0]?.bytesAfterBodilessResponse).toBeGreaterThan(0);

    // The next exchange goes to a fresh upstream connection and succeeds.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const next = await request(`${running.url}/good`, { agent: keepAlive });
    expect(next.status).toBe(200);
    expect(next.body.toString()).toBe('ok');
    expect(upstream.connections()).toBe(2);
    const text = await running.metrics();
    expect(sample(text, 'restaudit_proxy_errors_total', { reason: 'other' })).toBe(0);
    expect(sample(text, 'restaudit_requests_total', { status: '502' })).toBeUndefined();
  });

  it('counts nothing after a clean 204 and keeps the connection', async () => {
    const upstream = await startSloppyUpstream(5);
    cleanups.push(() => upstream.close());
    const running = await startAudit(upstream.url);
    cleanups.push(() => running.close());
    await request(`${running.url}/good`);
    await request(`${running.url}/good`);
    await running.settled(2);
    expect(running.exchanges.every((exchange) => exchange.bytesAfterBodilessResponse === 0)).toBe(true);
    expect(upstream.connections()).toBe(1);
  });
});
