import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit, type RunningAudit } from '../../helpers/audit.js';
import { eventually, request } from '../../helpers/servers.js';

/**
 * restaudit in front of a real FastAPI app (examples/fastapi/app.py, written the tutorial's
 * way) on Debian's python3-fastapi and python3-uvicorn: the method-support rules find the
 * defects FastAPI's defaults have, and ordinary traffic stays silent.
 */
const PYTHON = '/usr/bin/python3';
const available = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn'], { stdio: 'ignore' }).status === 0;
if (!available) {
  const reason = 'FastAPI not installed (Debian packages python3-fastapi and python3-uvicorn; .ci/run installs them)';
  if (process.env.CI === 'true') throw new Error(`${reason}: required under CI=true`);
  console.warn(`skipping the FastAPI trial: ${reason}`);
}

/** uvicorn on a socket bound to port 0 (its --port takes no 0 it would report). */
const SERVE = `
import asyncio, socket, sys, uvicorn
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(128)
print(sock.getsockname()[1], flush=True)
sys.path.insert(0, ".")
asyncio.run(uvicorn.Server(uvicorn.Config("app:app", log_level="warning")).serve(sockets=[sock]))
`;

describe.runIf(available)('restaudit in front of FastAPI', () => {
  let uvicorn: ChildProcess;
  let audit: RunningAudit;
  let agent: http.Agent;

  beforeAll(async () => {
    // The app's socket is bound on port 0 by Python itself, which prints the port it got.
    uvicorn = spawn(PYTHON, ['-c', SERVE], { cwd: resolve('examples/fastapi'), stdio: ['ignore', 'pipe', 'ignore'] });
    const port = await new Promise<number>((done, fail) => {
      uvicorn.stdout?.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim())));
      uvicorn.once('exit', (code) => fail(new Error(`uvicorn exited with ${code}`)));
    });
    const target = `http://127.0.0.1:${port}`;
    await eventually(async () => ((await request(`${target}/items/foo`).catch(() => undefined))?.status === 200 ? true : undefined), 15_000);
    audit = await startAudit(target);
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }, 20_000);
  afterAll(async () => {
    agent?.destroy();
    await audit?.close();
    uvicorn?.kill();
  });

  /** Sends one request on the kept-alive connection, with no pause; its status. */
  let sent = 0;
  async function send(method: string, path: string, body?: string): Promise<number> {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const answer = await request(`${audit.url}${path}`, { method, body, headers, agent });
    sent++;
    return answer.status;
  }
  /** The rules that fired, by exchange (`METHOD path status`), once all were judged. */
  async function fired(): Promise<Map<string, string[]>> {
    await audit.settled(sent);
    const byExchange = new Map<string, string[]>();
    for (const exchange of audit.exchanges) {
      const rules = audit.violationLines().filter((line) => line.requestId === exchange.id).map((line) => line.rule as string);
      byExchange.set(`${exchange.method} ${exchange.path} ${exchange.status}`, [...(byExchange.get(`${exchange.method} ${exchange.path} ${exchange.status}`) ?? []), ...rules]);
    }
    return byExchange;
  }

  it('finds what FastAPI gets wrong by default, and nothing in ordinary traffic', async () => {
    await send('GET', '/items/foo');
    await send('PUT', '/items/foo', '{"name":"Foo","price":51}');
    await send('POST', '/token', '{"username":"ada","password":"secret"}');
    await send('GET', '/items/nope');
    await send('HEAD', '/items/foo');
    await send('POST', '/items/foo', '{"name":"x"}');
    // Deleted, then at once re-created by PUT: the DELETE's lesson is known by then.
    await send('DELETE', '/items/bar');
    expect(await send('PUT', '/items/bar', '{"name":"Bar"}')).toBe(200);
    await send('PUT', '/items/bar', '{"name":"Bar","price":1}');
    const found = await fired();
    expect(Object.fromEntries(found)).toEqual({
      'GET /items/foo 200': [],
      'PUT /items/foo 200': [],
      'POST /token 200': [],
      'GET /items/nope 404': [],
      'HEAD /items/foo 405': ['head-not-supported', 'allow-omits-working-method'],
      'POST /items/foo 405': ['allow-omits-working-method'],
      'DELETE /items/bar 204': [],
      'PUT /items/bar 200': ['put-created-without-201'],
    });
  });
});
