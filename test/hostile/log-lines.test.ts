import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Started } from '../helpers/servers.js';
import { letters, startCli, timedRequest, type HostileCli } from './hostile-cli.js';

/**
 * Two workers share one stdout pipe: a write of more than 4,096 bytes is not atomic and
 * two of them splice. No line may be longer; a long one is cut, never dropped.
 */
describe('log lines from two workers never splice', () => {
  let backend: Started;
  let cli: HostileCli;

  beforeAll(async () => {
    // Every exchange is a violation with long evidence: a 401 without WWW-Authenticate, or
    // a GET answered 201 with a 2 KB Location and eleven 1 KB headers that a custom rule
    // quotes (evidence far beyond 4 KiB before it is cut).
    const names = Array.from({ length: 11 }, (_, i) => `x-long-${i}`);
    const config = join(mkdtempSync(join(tmpdir(), 'restaudit-lines-')), 'config.json');
    writeFileSync(config, JSON.stringify({ custom: [{ id: 'made-200', when: { method: 'GET', route: '/made/:id' }, expect: { status: [200], headers: names }, severity: 'warning' }] }));
    const long = Object.fromEntries(names.map((name, i) => [name, letters(1000, i)]));
    backend = await startBackend((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/made/') === true) res.writeHead(201, { location: `/made/${letters(2000, 1)}`, 'content-type': 'text/plain', ...long });
        else res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('no');
      });
    });
    cli = await startCli(['--target', backend.url, '--workers', '2', '--config', config]);
  });
  afterAll(async () => {
    await cli.stop();
    await backend.close();
  });

  it('every line parses and is at most 4,096 bytes, and none is lost', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    const n = 200;
    for (let i = 0; i < n; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => timedRequest(`${cli.proxyUrl}/${(i + j) % 2 === 0 ? 'made' : 'locked'}/${letters(9000, i + j)}`, { agent, headers: { 'x-request-id': `req-${i + j}` } })),
      );
    }
    agent.destroy();
    const deadline = Date.now() + 5000;
    const violations = (): string[] => cli.lines().filter((line) => line.includes('"msg":"violation"'));
    const judged = (): Set<string> => new Set(violations().map((line) => (JSON.parse(line) as { requestId: string }).requestId));
    while (judged().size < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = cli.lines();
    let longest = 0;
    for (const line of lines) {
      longest = Math.max(longest, Buffer.byteLength(line) + 1);
      expect(() => JSON.parse(line) as unknown, line.slice(0, 200)).not.toThrow();
    }
    console.log(`log lines: ${lines.length}, longest ${longest} bytes`);
    expect(longest).toBeLessThanOrEqual(4096);
    expect(judged().size).toBe(n);
    // The custom rule's lines were cut to fit, not dropped.
    expect(violations().filter((line) => line.includes('"rule":"made-200"') && line.includes('"truncated":true')).length).toBe(n / 2);
  });
});
