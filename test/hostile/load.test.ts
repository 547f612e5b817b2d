import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCli, type Serving } from '../e2e/cli-process.js';
import { eventually, startBackend, type Started } from '../helpers/servers.js';
import { openFds, probe, report, rssMb } from './process-probe.js';
import { sendRaw, statusOf } from './wire.js';

const MiB = 1024 * 1024;
const CHUNK = Buffer.alloc(MiB, 0x61);

/**
 * Attacks that need the built CLI as its own process: its RSS is what is measured. The
 * backend is a real node:http server in the test process; figures go to docs/reliability.md.
 */
describe('hostile load against the built CLI', () => {
  let backend: Started;
  let serving: Serving;
  let port: number;
  let pid: number;

  beforeAll(async () => {
    backend = await startBackend((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/upload') {
        let size = 0;
        req.on('data', (chunk: Buffer) => (size += chunk.length));
        req.on('end', () => res.end(String(size)));
        return;
      }
      if (path === '/stream') {
        // 50 MiB, written only as fast as it is read.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 50 * MiB });
        let sent = 0;
        const pump = (): void => {
          while (sent < 50 && res.write(CHUNK)) sent++;
          if (sent >= 50) res.end();
          else res.once('drain', () => {
            sent++;
            pump();
          });
        };
        pump();
        res.on('close', () => (sent = 50));
        return;
      }
      const status = Number(req.headers['x-status'] ?? 200);
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 204 || status === 304 ? undefined : '{"ok":true}');
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-hostile-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'client:\n  headerTimeoutMs: 2000\n  keepAliveTimeoutMs: 2000\n');
    serving = await serveCli(['--target', backend.url, '--config', config]);
    port = Number(new URL(serving.proxyUrl).port);
    pid = serving.child.pid as number;
  });
  afterAll(async () => {
    if (serving.child.exitCode === null) await serving.stop('SIGKILL');
    await backend.close();
  });

  it('holds 1,500 slowloris connections: probes answered meanwhile, each closed by the proxy after client.headerTimeoutMs', async () => {
    const rssBefore = rssMb(pid);
    const fdsBefore = openFds(pid);
    const sockets: net.Socket[] = [];
    let connected = 0;
    // In batches of 250: the listen backlog is not what this attack is about. The clients
    // never read: the proxy must close them itself, not wait for them to close their side.
    for (let batch = 1; batch <= 6; batch++) {
      for (let i = 0; i < 250; i++) {
        const socket = net.connect(port, '127.0.0.1', () => {
          connected++;
          socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n');
        });
        socket.on('error', () => undefined);
        sockets.push(socket);
      }
      await eventually(() => (connected >= batch * 250 ? true : undefined), 10_000);
    }
    const drip = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed && socket.writable) socket.write('X-Drip: 1\r\n');
    }, 300);
    try {
      const latency = await probe(`${serving.proxyUrl}/probe`, 200);
      const rssDuring = rssMb(pid);
      await eventually(() => (openFds(pid) <= fdsBefore + 10 ? true : undefined), 15_000);
      report('1,500 slowloris connections', { rssBefore, rssDuring, fdsBefore, fdsAfter: openFds(pid), ...latency });
      expect(latency.failed).toBe(0);
      expect(latency.p50).toBeLessThan(100);
      expect(latency.p99).toBeLessThan(3000);
      expect(rssDuring - rssBefore).toBeLessThan(150);
    } finally {
      clearInterval(drip);
      for (const socket of sockets) socket.destroy();
    }
  });

  it('holds 2,000 idle kept-alive connections and closes them after client.keepAliveTimeoutMs', async () => {
    const rssBefore = rssMb(pid);
    let answered = 0;
    let closed = 0;
    const sockets: net.Socket[] = [];
    // In batches of 250: the listen backlog is not what this attack is about.
    for (let batch = 0; batch < 8; batch++) {
      for (let i = 0; i < 250; i++) {
        const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n'));
        socket.once('data', () => answered++);
        socket.on('error', () => undefined);
        socket.on('close', () => closed++);
        sockets.push(socket);
      }
      await eventually(() => (answered === (batch + 1) * 250 ? true : undefined), 10_000);
    }
    const latency = await probe(`${serving.proxyUrl}/probe`, 200);
    const rssDuring = rssMb(pid);
    await eventually(() => (closed === 2000 ? true : undefined), 8000);
    report('2,000 idle keep-alive connections', { rssBefore, rssDuring, ...latency });
    for (const socket of sockets) socket.destroy();
    expect(latency.failed).toBe(0);
    expect(latency.p50).toBeLessThan(100);
      expect(latency.p99).toBeLessThan(3000);
    expect(rssDuring - rssBefore).toBeLessThan(150);
  });

  it('holds 20 slow readers of 50 MiB each without buffering their bodies', async () => {
    const rssBefore = rssMb(pid);
    const readers = Array.from({ length: 20 }, () => {
      const reader = { socket: net.connect(port, '127.0.0.1'), bytes: 0 };
      reader.socket.on('error', () => undefined);
      reader.socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
      reader.socket.on('data', (chunk: Buffer) => {
        reader.bytes += chunk.length;
        // A slow reader: reads a little, then nothing for a long while.
        reader.socket.pause();
        setTimeout(() => reader.socket.resume(), 1000).unref();
      });
      return reader;
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const rssDuring = rssMb(pid);
    const latency = await probe(`${serving.proxyUrl}/probe`, 100);
    const read = readers.reduce((sum, reader) => sum + reader.bytes, 0);
    report('20 slow readers of 50 MiB', { rssBefore, rssDuring, readMiB: Math.round(read / MiB), ...latency });
    for (const reader of readers) reader.socket.destroy();
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(20 * 50 * MiB);
    // Buffered, 20 bodies of 50 MiB would be 1,000 MB.
    expect(rssDuring - rssBefore).toBeLessThan(150);
    // At most one probe may meet a pooled upstream connection the backend closes as it is
    // reused (Node's 5 s keep-alive race; see docs/reliability.md).
    expect(latency.failed).toBeLessThanOrEqual(1);
  });

  it('streams a 256 MiB upload with flat RSS (the 1 GiB attack, scaled to the time budget)', async () => {
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 100);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${serving.proxyUrl}/upload`, { method: 'POST', agent: false, headers: { 'content-length': 256 * MiB } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      let sent = 0;
      const write = (): void => {
        while (sent < 256) {
          sent++;
          if (!req.write(CHUNK)) {
            req.once('drain', write);
            return;
          }
        }
        req.end();
      };
      write();
    });
    clearInterval(sampler);
    report('256 MiB upload', { rssBefore, rssPeak, seconds: (Date.now() - started) / 1000 });
    expect(answer).toBe(String(256 * MiB));
    expect(rssPeak - rssBefore).toBeLessThan(100);
  }, 60_000);

  it('passes 1,000 random methods, paths and statuses through exactly', async () => {
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PURGE'];
    const statuses = [200, 201, 202, 204, 206, 299, 301, 302, 304, 400, 401, 403, 404, 405, 409, 418, 422, 429, 500, 502, 503, 504, 599];
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-._~%20';
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const rssBefore = rssMb(pid);
    let mismatched = 0;
    const one = (): Promise<void> => {
      const method = methods[Math.floor(Math.random() * methods.length)] as string;
      const status = statuses[Math.floor(Math.random() * statuses.length)] as number;
      const segments = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () =>
        Array.from({ length: 1 + Math.floor(Math.random() * 40) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join(''),
      );
      return new Promise((resolve) => {
        const req = http.request(`${serving.proxyUrl}/${segments.join('/')}`, { method, agent, headers: { 'x-status': status } }, (res) => {
          if (res.statusCode !== status) mismatched++;
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', () => {
          mismatched++;
          resolve();
        });
        req.end(method === 'POST' || method === 'PUT' ? '{"a":1}' : undefined);
      });
    };
    for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 100 }, one));
    agent.destroy();
    const metrics = await (await fetch(`${serving.adminUrl}/metrics`)).text();
    const rssAfter = rssMb(pid);
    report('1,000 random methods, paths and statuses', { rssBefore, rssAfter, metricsBytes: metrics.length, metricsLines: metrics.split('\n').length });
    expect(mismatched).toBe(0);
    expect(metrics.length).toBeLessThan(4 * MiB);
    expect((await fetch(`${serving.adminUrl}/healthz`)).status).toBe(200);
  }, 60_000);

  it('refuses admin path traversal and oversize admin requests, and keeps serving', async () => {
    const adminPort = Number(new URL(serving.adminUrl).port);
    for (const target of ['/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/rules/..%2F..%2Fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/runbooks/../../../etc/passwd']) {
      const reply = await sendRaw(adminPort, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([400, 404]).toContain(statusOf(reply.text));
      expect(reply.text).not.toContain('root:');
      expect(reply.text).not.toContain('"devDependencies"');
    }
    expect(statusOf((await sendRaw(adminPort, `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).text)).toBe(431);
    expect(statusOf((await sendRaw(adminPort, `GET /metrics HTTP/1.1\r\nHost: x\r\n${'X-H: v\r\n'.repeat(10_000)}\r\n`)).text)).toBe(431);
    const bigBody = await sendRaw(adminPort, [`POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: ${20 * MiB}\r\n\r\n`, Buffer.alloc(20 * MiB)], 5000);
    expect(statusOf(bigBody.text)).toBe(405);
    expect((await fetch(`${serving.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${serving.proxyUrl}/after`)).status).toBe(200);
  });
});
