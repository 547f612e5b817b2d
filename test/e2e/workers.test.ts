import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { MALLOC_TUNABLES } from '../../src/malloc-tunables.js';
import { sample } from '../helpers/audit.js';
import { json, startScriptedBackend, type Script } from '../helpers/scripted-backend.js';
import { eventually, request, startBackend, type Received, type Started } from '../helpers/servers.js';
import { serveCli, type Serving } from './cli-process.js';

/** POST creates without Location (a violation); anything else is a plain 200. */
const script: Script = (req) => {
  if (req.method === 'POST') return json(201, { id: 7 });
  return json(200, { ok: true });
};

describe('restaudit --workers 2 (built dist/cli.js)', () => {
  let backend: Started & { script: Script };
  let serving: Serving;

  beforeAll(async () => {
    backend = await startScriptedBackend(script);
    serving = await serveCli(['--target', backend.url, '--workers', '2']);
  });
  afterAll(async () => {
    if (serving.child.exitCode === null) await serving.stop('SIGKILL');
    await backend.close();
  });

  const violationPids = (): Set<unknown> => new Set(serving.lines.filter((line) => line.msg === 'violation').map((line) => line.pid));

  it('audits in two processes and answers for both on one admin port', async () => {
    expect(serving.lines[0]).toMatchObject({ workers: 2, target: backend.url });
    // A new connection per request: the primary hands connections to the workers in turn.
    for (let i = 0; i < 20; i++) {
      const answer = await request(`${serving.proxyUrl}/orders`, { method: 'POST', body: '{"item":1}', headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(201);
    }
    await eventually(() => (serving.lines.filter((line) => line.msg === 'violation').length === 20 ? true : undefined));
    expect(violationPids().size).toBe(2);

    const metrics = await (await fetch(`${serving.adminUrl}/metrics`)).text();
    const labels = { rule: 'created-without-location', severity: 'error', method: 'POST', route: '/orders' };
    expect(sample(metrics, 'restaudit_violations_total', labels)).toBe(20);
    expect(sample(metrics, 'restaudit_requests_total', { method: 'POST', route: '/orders', status: '201' })).toBe(20);
    expect(sample(metrics, 'restaudit_upstream_duration_seconds_count', { method: 'POST', route: '/orders', status_class: '2xx' })).toBe(20);
    expect(metrics).toMatch(/^restaudit_build_info\{version="[^"]+",node_version="v[^"]+"\} 1$/m);
    expect(metrics).toContain('restaudit_process_cpu_seconds_total');
    // The alert rules tell a fresh start from a regression by the start time: exactly one.
    const starts = metrics.split('\n').filter((line) => line.startsWith('restaudit_process_start_time_seconds '));
    expect(starts).toHaveLength(1);
    expect(Math.abs(Number(starts[0]?.split(' ')[1]) - Date.now() / 1000)).toBeLessThan(120);

    const { violations } = (await (await fetch(`${serving.adminUrl}/violations?limit=1000`)).json()) as { violations: Array<{ time: number; rule: string; requestId: string }> };
    expect(violations).toHaveLength(20);
    expect(new Set(violations.map((v) => v.requestId)).size).toBe(20);
    const times = violations.map((v) => v.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const limited = (await (await fetch(`${serving.adminUrl}/violations?limit=5`)).json()) as { violations: unknown[] };
    expect(limited.violations).toEqual(violations.slice(0, 5));
    expect((await fetch(`${serving.adminUrl}/readyz`)).status).toBe(200);
  });

  it("starts each worker with restaudit's allocator settings (GLIBC_TUNABLES), which the primary was started without", () => {
    const pid = serving.child.pid as number;
    const environ = (of: number): string[] => readFileSync(`/proc/${of}/environ`, 'utf8').split('\0');
    expect(environ(pid).some((entry) => entry.startsWith('GLIBC_TUNABLES='))).toBe(false);
    const workers = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(workers).toHaveLength(2);
    for (const worker of workers) expect(environ(worker)).toContain(`GLIBC_TUNABLES=${MALLOC_TUNABLES}`);
  });

  it('passes lessons between workers: a creation seen by one is judged by both, a DELETE guards both', async () => {
    let created = 0;
    onTestFinished(() => {
      backend.script = script;
    });
    backend.script = (req) => {
      if (req.method === 'POST') return json(201, { id: ++created }, { location: `/items/${created}` });
      if (req.method === 'DELETE') return { status: 204 };
      return json(404, { error: 'not found' });
    };
    const notFound = (path: string): unknown[] =>
      serving.lines.filter((line) => line.msg === 'violation' && line.rule === 'created-resource-not-found' && line.path === path);
    const newConnection = (path: string, method = 'GET'): Promise<unknown> => request(`${serving.proxyUrl}${path}`, { method });

    // Created once, then fetched on six new connections: the workers take turns, and each fires.
    await newConnection('/items', 'POST');
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 6; i++) await newConnection('/items/1');
    await eventually(() => (notFound('/items/1').length === 6 ? true : undefined));
    expect(new Set(notFound('/items/1').map((line) => (line as { pid: number }).pid)).size).toBe(2);

    // Created and deleted, on alternating workers: no worker may call the 404 a lost creation.
    for (const id of [2, 3, 4]) {
      await newConnection('/items', 'POST');
      await newConnection(`/items/${id}`, 'DELETE');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const id of [2, 3, 4]) for (let i = 0; i < 4; i++) await newConnection(`/items/${id}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([2, 3, 4].flatMap((id) => notFound(`/items/${id}`))).toEqual([]);
  });

  it('replaces a worker that dies, and keeps serving', { timeout: 30_000 }, async () => {
    const pids = [...violationPids()] as number[];
    process.kill(pids[0] as number, 'SIGKILL');
    const replaced = await eventually(() => serving.lines.find((line) => line.msg === 'worker exited, starting another'));
    expect(replaced).toMatchObject({ worker: pids[0], signal: 'SIGKILL' });
    // A new process loads every module first: on a loaded machine that takes seconds.
    await eventually(async () => ((await fetch(`${serving.adminUrl}/readyz`)).status === 200 ? true : undefined), 15_000);
    for (let i = 0; i < 6; i++) {
      expect((await request(`${serving.proxyUrl}/orders`, { method: 'POST', body: '{}' })).status).toBe(201);
    }
    await eventually(() => (violationPids().size === 3 ? true : undefined));
  });

  it('lets in-flight exchanges finish on SIGTERM, then stops every worker and exits 0', async () => {
    const { answer, code, lines } = await heldExchange((through) => through.stop('SIGTERM'));
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('{"late":true}');
    expect(code).toBe(0);
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });

  it('finishes in-flight exchanges when Ctrl-C signals the primary and every worker at once', async () => {
    const { answer, code } = await heldExchange((through) => {
      const pid = through.child.pid as number;
      const workers = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      expect(workers).toHaveLength(2);
      // What a terminal does on Ctrl-C: SIGINT to the whole process group.
      for (const worker of workers) process.kill(worker, 'SIGINT');
      return through.stop('SIGINT');
    });
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('{"late":true}');
    expect(code).toBe(0);
  });
});

/**
 * restaudit --workers 2 with one exchange held by the backend: `stop` signals restaudit while
 * the exchange is in flight, and the backend answers 300 ms later.
 */
async function heldExchange(stop: (through: Serving) => Promise<number | null>): Promise<{ answer: Received; code: number | null; lines: Serving['lines'] }> {
  let arrived = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const slow = await startBackend((_req, res) => {
    arrived++;
    void held.then(() => res.end('{"late":true}'));
  });
  let through: Serving | undefined;
  try {
    through = await serveCli(['--target', slow.url, '--workers', '2']);
    const pending = request(`${through.proxyUrl}/late`);
    await eventually(() => (arrived === 1 ? true : undefined));
    const exited = stop(through);
    setTimeout(release, 300);
    const answer = await pending;
    return { answer, code: await exited, lines: through.lines };
  } finally {
    release();
    if (through !== undefined && through.child.exitCode === null && through.child.signalCode === null) through.child.kill('SIGKILL');
    await slow.close();
  }
}
