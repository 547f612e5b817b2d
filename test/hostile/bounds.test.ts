import { spawn } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Started } from '../helpers/servers.js';
import { labelValues, letters, percentile, sample, startCli, timedRequest, type HostileCli } from './hostile-cli.js';

/**
 * What a client controls cannot grow restaudit without bound: the built CLI as a child
 * process (its RSS is what an operator sees), a real backend, real sockets. The figures
 * are printed for docs/reliability.md.
 */

/** Scrapers in their own process, so the test's event loop only measures the probes. */
const SCRAPERS = `
const http = require('node:http');
const [urls, ms] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
const until = Date.now() + ms;
let count = 0;
const get = (url, agent) => new Promise((done) => http.get(url, { agent }, (res) => { res.resume(); res.on('end', done); }).on('error', done));
Promise.all(urls.map(async (url) => {
  const agent = new http.Agent({ keepAlive: true });
  while (Date.now() < until) { await get(url, agent); count++; }
  agent.destroy();
})).then(() => process.stdout.write(String(count)));
`;

/** Runs the scrapers for `ms`; resolves with how many scrapes they made. */
function scrape(urls: readonly string[], ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRAPERS, JSON.stringify(urls), String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(Number(out)));
  });
}

describe('bounded resources under hostile clients', () => {
  let backend: Started;
  let cli: HostileCli;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const figures: Record<string, number | string> = {};

  beforeAll(async () => {
    backend = await startBackend((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/users/') === true) {
          res.writeHead(req.headers.authorization === undefined ? 401 : 200, { 'content-type': 'application/json' });
          res.end('{"id":1}');
          return;
        }
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such thing');
      });
    });
    cli = await startCli(['--target', backend.url]);
  });
  afterAll(async () => {
    agent.destroy();
    await cli.stop();
    await backend.close();
    console.log(`bounds figures: ${JSON.stringify(figures)}`);
  });

  const metrics = async (): Promise<string> => (await timedRequest(`${cli.adminUrl}/metrics`)).body;

  it('600 GETs to 12,000-letter paths make no new labels and barely move RSS', async () => {
    await timedRequest(`${cli.proxyUrl}/users/1`, { headers: { authorization: 'Bearer t' }, agent });
    const before = sample(await metrics(), 'restaudit_process_resident_memory_bytes');
    for (let i = 0; i < 600; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => timedRequest(`${cli.proxyUrl}/${letters(12_000, i + j)}`, { headers: { authorization: 'Bearer t' }, agent })));
    }
    const text = await metrics();
    const after = sample(text, 'restaudit_process_resident_memory_bytes');
    const routes = labelValues(text, 'route');
    Object.assign(figures, {
      rssBeforeMB: +(before / 1e6).toFixed(1),
      rssAfterMB: +(after / 1e6).toFixed(1),
      metricsBytes: Buffer.byteLength(text),
      metricsLines: text.split('\n').length,
      routeLabels: routes.size,
    });
    expect(after - before).toBeLessThan(40e6);
    expect(Buffer.byteLength(text)).toBeLessThan(100_000);
    expect(text.split('\n').length).toBeLessThan(1000);
    expect(routes.size).toBeLessThanOrEqual(4);
    for (const route of routes) expect(route.length).toBeLessThanOrEqual(200);
    expect(routes.has('/users/:id')).toBe(true);
    // A route first seen after the flood still gets its label.
    await timedRequest(`${cli.proxyUrl}/invoices/7`, { agent });
    await timedRequest(`${cli.proxyUrl}/invoices/8`, { agent });
    expect(labelValues(await metrics(), 'route').has('/invoices/:id')).toBe(true);
  });

  it('memory entries cost a bounded number of bytes, whatever the path and X-Request-Id', async () => {
    const start = await metrics();
    const entriesBefore = sample(start, 'restaudit_memory_entries');
    const heapBefore = sample(start, 'restaudit_nodejs_heap_size_used_bytes');
    const n = 1000;
    for (let i = 0; i < n; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          timedRequest(`${cli.proxyUrl}/users/${letters(7000, i + j)}`, { headers: { authorization: 'Bearer t', 'x-request-id': letters(7000, i + j + 1) }, agent }),
        ),
      );
    }
    const end = await metrics();
    const entries = sample(end, 'restaudit_memory_entries') - entriesBefore;
    const perEntry = (sample(end, 'restaudit_nodejs_heap_size_used_bytes') - heapBefore) / entries;
    Object.assign(figures, { memoryEntries: entries, heapBytesPerEntry: Math.round(perEntry) });
    expect(entries).toBeGreaterThanOrEqual(n * 0.9);
    // The heap here also holds the flood's garbage (the figure swings from negative to
    // 10 KB with GC under load), so it is reported, not asserted on:
    // test/unit/memory/entry-bytes.test.ts measures the entry itself, after GC (< 1.5 KB).
    expect(Number.isFinite(perEntry)).toBe(true);
  });

  it('ten scrapers hammering /metrics and /violations do not stall proxied requests', async () => {
    // Violations to list: anonymous reads answered 401 without WWW-Authenticate.
    for (let i = 0; i < 300; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => timedRequest(`${cli.proxyUrl}/users/${i + j}`, { agent, headers: { 'x-request-id': letters(7000, i + j) } })));
    }
    const violations = (await timedRequest(`${cli.adminUrl}/violations?limit=1000`)).body;
    const urls = Array.from({ length: 10 }, (_, i) => `${cli.adminUrl}${i % 2 === 0 ? '/metrics' : '/violations?limit=1000'}`);
    const scrapes = scrape(urls, 3300);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const probes: number[] = [];
    const until = performance.now() + 2500;
    while (performance.now() < until) probes.push((await timedRequest(`${cli.proxyUrl}/users/1`, { headers: { authorization: 'Bearer t' }, agent })).ms);
    const count = await scrapes;
    Object.assign(figures, {
      violationsBytes: Buffer.byteLength(violations),
      scrapes: count,
      probes: probes.length,
      probeP50ms: +percentile(probes, 50).toFixed(1),
      probeP99ms: +percentile(probes, 99).toFixed(1),
    });
    expect(Buffer.byteLength(violations)).toBeLessThan(2_000_000);
    expect(count).toBeGreaterThan(50);
    expect(percentile(probes, 50)).toBeLessThan(250);
    // Before the bounds, one scrape of the 115 MB /metrics held the event loop for seconds.
    expect(percentile(probes, 99)).toBeLessThan(1500);
  });
});
