import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, serveCli, type Serving } from '../e2e/cli-process.js';
import { eventually, request, startBackend, type Started } from '../helpers/servers.js';
import { report } from './process-probe.js';

const running: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.();
});

/** A backend that answers after `delayMs` and remembers every request id it received. */
async function slowBackend(delayMs: number): Promise<Started & { received: Set<string> }> {
  const received = new Set<string>();
  const backend = await startBackend((req, res) => {
    received.add(String(req.headers['x-n']));
    req.resume();
    setTimeout(() => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"id":1}');
    }, delayMs);
  });
  running.push(() => backend.close());
  return Object.assign(backend, { received });
}

async function serve(args: string[]): Promise<Serving> {
  const serving = await serveCli(args);
  running.push(async () => {
    if (serving.child.exitCode === null && serving.child.signalCode === null) await serving.stop('SIGKILL');
  });
  return serving;
}

interface Outcome {
  ok: Set<string>;
  failed: Map<string, string>;
  closeAnswers: number;
}

/** `clients` loops of kept-alive POSTs until `stop()`; each request carries a unique X-N. */
function keepAliveLoad(url: string, clients: number): { outcome: Outcome; stop: () => Promise<void> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const outcome: Outcome = { ok: new Set(), failed: new Map(), closeAnswers: 0 };
  let stopped = false;
  let n = 0;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const id = String(++n);
      await new Promise<void>((resolve) => {
        const req = http.request(`${url}/orders`, { method: 'POST', agent, headers: { 'x-n': id, 'content-type': 'application/json' } }, (res) => {
          if (res.headers.connection === 'close') outcome.closeAnswers++;
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 201) outcome.ok.add(id);
            else outcome.failed.set(id, String(res.statusCode));
            resolve();
          });
          res.on('error', (error: NodeJS.ErrnoException) => {
            outcome.failed.set(id, error.code ?? error.message);
            resolve();
          });
        });
        req.on('error', (error: NodeJS.ErrnoException) => {
          outcome.failed.set(id, error.code ?? error.message);
          // Refused: the proxy has stopped accepting; wait a little as a real client would.
          setTimeout(resolve, 20);
        });
        req.end('{"item":1}');
      });
    }
  };
  const loops = Array.from({ length: clients }, loop);
  return {
    outcome,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

/** SIGTERM while `clients` kept-alive clients keep sending: what reached the backend, what the clients got. */
async function drainUnderLoad(workers: number): Promise<void> {
  const backend = await slowBackend(30);
  const serving = await serve(['--target', backend.url, '--workers', String(workers)]);
  const load = keepAliveLoad(serving.proxyUrl, 16);
  await eventually(() => (load.outcome.ok.size >= 100 ? true : undefined), 10_000);
  const signalled = Date.now();
  const code = await serving.stop('SIGTERM');
  const exitMs = Date.now() - signalled;
  await load.stop();
  // Every request that reached the backend got its answer: none was reset by the drain.
  const lost = [...backend.received].filter((id) => !load.outcome.ok.has(id));
  const resets = [...load.outcome.failed.values()].filter((why) => why === 'ECONNRESET').length;
  report(`SIGTERM under keep-alive load, ${workers} worker${workers > 1 ? 's' : ''}`, {
    answered: load.outcome.ok.size,
    reachedBackend: backend.received.size,
    lostAfterReachingBackend: lost.length,
    closeAnswers: load.outcome.closeAnswers,
    resetsOfRequestsNotForwarded: resets,
    exitMs,
  });
  expect(code).toBe(0);
  expect(lost).toEqual([]);
  expect(load.outcome.closeAnswers).toBeGreaterThan(0);
  expect(exitMs).toBeLessThan(5000);
  expect(serving.lines.at(-1)).toMatchObject({ msg: 'stopped' });
}

describe('signals against the built CLI', () => {
  it('drains on SIGTERM under continuous keep-alive load: Connection: close, no forwarded request reset, exit 0', async () => {
    await drainUnderLoad(1);
  }, 30_000);

  it('drains the same way with --workers 2', async () => {
    await drainUnderLoad(2);
  }, 30_000);

  it('re-reads the config file on SIGHUP: in-flight exchanges finish, a valid file applies, an invalid one is logged and kept', async () => {
    const backend = await slowBackend(400);
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-hup-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `target: ${backend.url}\n`);
    const serving = await serve(['--config', file]);
    const inFlight = Array.from({ length: 5 }, (_, i) => request(`${serving.proxyUrl}/orders`, { method: 'POST', headers: { 'x-n': `f${i}` }, body: '{}' }));
    await eventually(() => (backend.received.size === 5 ? true : undefined));
    writeFileSync(file, `target: ${backend.url}\nrules:\n  created-without-location: { severity: info }\n`);
    serving.child.kill('SIGHUP');
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    await eventually(() => serving.lines.find((line) => line.msg === 'config reloaded'));
    await request(`${serving.proxyUrl}/orders`, { method: 'POST', headers: { 'x-n': 'after' }, body: '{}' });
    const after = await eventually(() => serving.lines.find((line) => line.msg === 'violation' && line.rule === 'created-without-location' && line.severity === 'info'));
    expect(after).toMatchObject({ level: 30 });

    writeFileSync(file, 'target: 3\nupstream: { timeoutMs: -1 }\n');
    serving.child.kill('SIGHUP');
    const failed = await eventually(() => serving.lines.find((line) => line.msg === 'config reload failed, running config kept'));
    expect(failed.problems).toEqual(expect.arrayContaining([expect.stringContaining('target'), expect.stringContaining('upstream.timeoutMs')]));
    expect((await request(`${serving.proxyUrl}/orders`, { method: 'POST', headers: { 'x-n': 'still' }, body: '{}' })).status).toBe(201);
    expect(await serving.stop('SIGTERM')).toBe(0);
  }, 30_000);

  it('replaces a worker killed with SIGKILL and keeps answering', async () => {
    const backend = await slowBackend(0);
    const serving = await serve(['--target', backend.url, '--workers', '2']);
    const pid = serving.child.pid as number;
    const workers = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    process.kill(workers[0] as number, 'SIGKILL');
    await eventually(() => serving.lines.find((line) => line.msg === 'worker exited, starting another'), 5000);
    await eventually(async () => ((await fetch(`${serving.adminUrl}/readyz`)).status === 200 ? true : undefined), 10_000);
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => request(`${serving.proxyUrl}/orders`, { method: 'POST', headers: { 'x-n': `k${i}` }, body: '{}' }).then((answer) => answer.status)));
    expect(statuses.every((status) => status === 201)).toBe(true);
  }, 30_000);

  it('exits on SIGTERM when nobody reads its standard output any more (a log shipper that died)', async () => {
    const backend = await slowBackend(0);
    const serving = await serve(['--target', backend.url]);
    // The reader goes away: every later write of the log meets EPIPE.
    serving.child.stdout?.destroy();
    const started = performance.now();
    const code = await serving.stop('SIGTERM');
    expect(performance.now() - started).toBeLessThan(8000);
    expect(code).toBe(0);
  });

  it('keeps serving when nobody reads its standard output: 8 MiB of log lines held, the rest dropped and counted, exit 0 on SIGTERM', async () => {
    const backend = await slowBackend(0);
    const serving = await serve(['--target', backend.url]);
    // A log shipper that stopped reading without closing the pipe: it fills, and stays full.
    serving.child.stdout?.pause();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    // Each POST answered 201 without Location logs a violation of about 1.5 KB (its long path,
    // cut in the line): 8,000 of them are about 12 MB of lines, more than the 8 MiB held.
    const path = `/orders/${'x'.repeat(3000)}`;
    let answered = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, worker) => {
        for (let i = 0; i < 500; i++) {
          const answer = await request(`${serving.proxyUrl}${path}`, { method: 'POST', headers: { 'x-n': `log-${worker}-${i}`, 'content-type': 'application/json' }, body: '{}', agent });
          if (answer.status === 201) answered++;
        }
      }),
    );
    agent.destroy();
    expect(answered).toBe(8000);
    const metrics = (await request(`${serving.adminUrl}/metrics`)).body.toString();
    const dropped = Number(/^restaudit_log_lines_dropped_total (\d+)$/m.exec(metrics)?.[1]);
    const rssMiB = Number(/^restaudit_process_resident_memory_bytes (\d+)$/m.exec(metrics)?.[1]) / 2 ** 20;
    report('8,000 violations logged to a standard output nobody reads', { dropped, rssMiB: Math.round(rssMiB) });
    expect(dropped).toBeGreaterThan(500);
    expect(serving.stderr()).toContain('standard output is not being read');
    const started = performance.now();
    expect(await serving.stop('SIGTERM')).toBe(0);
    expect(performance.now() - started).toBeLessThan(8000);
    expect(serving.stderr()).toContain('the lines it held are not written');
  }, 30_000);

  it('drains on a SIGTERM sent the moment the start-up line is read (a supervisor that stops it at once)', async () => {
    const backend = await slowBackend(0);
    // Several at once: the start-up line must not be written before the signals are handled,
    // and a loaded machine is where the gap between the two would show.
    const codes = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const serving = await serve(['--target', backend.url]);
        return serving.stop('SIGTERM');
      }),
    );
    expect(codes).toEqual(Array.from({ length: 12 }, () => 0));
  }, 30_000);

  it('refuses a YAML alias bomb at once: exit 2 naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-bomb-'));
    const file = join(dir, 'bomb.yaml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const previous = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    writeFileSync(file, `${levels.join('\n')}\n`);
    const started = Date.now();
    const checked = await runCli(['check-config', file]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/alias/i);
    const served = await runCli(['--config', file, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0']);
    expect(served.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
