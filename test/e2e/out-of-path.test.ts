import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { json, startScriptedBackend } from '../helpers/scripted-backend.js';
import { sample } from '../helpers/audit.js';
import { serveCli, type Serving } from './cli-process.js';

const NGINX = '/usr/sbin/nginx';
const LOG_FORMAT = resolve('examples/nginx/restaudit-log.conf');
const TRAFFIC = 'test/e2e/fixtures/traffic.har';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Real nginx in front of `backend`, on a Unix socket (no port to race for), logging restaudit's JSON lines. */
async function startNginx(backendPort: number): Promise<{ socket: string; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-nginx-'));
  const socket = join(dir, 'nginx.sock');
  const log = join(dir, 'access.log');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${LOG_FORMAT};
  access_log ${log} restaudit;
  server {
    listen unix:${socket};
    location / {
      proxy_pass http://127.0.0.1:${backendPort};
      proxy_set_header Host $host;
    }
  }
}
`,
  );
  const nginx: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((done) => nginx.once('exit', done));
  cleanups.push(async () => {
    nginx.kill('SIGQUIT');
    await exited;
  });
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket) || !existsSync(log)) {
    if (nginx.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${stderr} ${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { socket, log };
}

function send(socket: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = http.request({ socketPath: socket, method, path, headers: { host: 'shop.test', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function follow(args: string[]): Promise<Serving> {
  const running = await serveCli(['audit', ...args, '--follow'], {}, ['--admin-listen', '127.0.0.1:0']);
  cleanups.push(() => running.stop());
  return running;
}

describe('out of the request path: restaudit audit --follow', () => {
  it('turns real nginx JSON access-log lines into the proxy\'s metrics, log lines and /violations', async () => {
    const backend = await startScriptedBackend((req) => {
      const route = `${req.method ?? ''} ${req.url ?? ''}`;
      if (route === 'POST /books') return json(201, { id: 2 });
      if (route === 'DELETE /books/1') return { status: 204 };
      if (route === 'GET /admin') return json(401, { error: 'who are you' });
      if (route === 'PUT /books') return { status: 405 };
      return json(200, { id: 1 });
    });
    cleanups.push(() => backend.close());
    const nginx = await startNginx(backend.port);
    const audit = await follow(['--input', 'nginx-json', nginx.log]);
    const note = await until('the note on body rules', () => Promise.resolve(audit.lines.find((line) => line.msg === 'nginx-json carries no bodies: the rules that read bodies are not judged')));
    expect(note.rules).toContain('invalid-json-response');

    expect(await send(nginx.socket, 'GET', '/books/1', { authorization: 'Bearer s3cr3t-token' })).toBe(200);
    expect(await send(nginx.socket, 'POST', '/books', { 'content-type': 'application/json' }, '{"title":"x"}')).toBe(201);
    expect(await send(nginx.socket, 'DELETE', '/books/1', { authorization: 'Bearer s3cr3t-token' })).toBe(204);
    expect(await send(nginx.socket, 'GET', '/books/1', { authorization: 'Bearer s3cr3t-token' })).toBe(200);
    expect(await send(nginx.socket, 'GET', '/admin')).toBe(401);
    expect(await send(nginx.socket, 'PUT', '/books')).toBe(405);

    const expected = ['created-without-location', 'deleted-resource-still-served', 'unauthorized-without-www-authenticate', 'method-not-allowed-without-allow'];
    const violations = await until('the findings in /violations', async () => {
      const answer = (await (await fetch(`${audit.adminUrl}/violations`)).json()) as { violations: Array<Record<string, unknown>> };
      return answer.violations.length >= expected.length ? answer.violations : undefined;
    });
    expect(violations.map((v) => v.rule).sort()).toEqual([...expected].sort());
    expect(violations.find((v) => v.rule === 'deleted-resource-still-served')).toMatchObject({ method: 'GET', path: '/books/1', route: '/books/:id', status: 200 });
    expect(String(violations.find((v) => v.rule === 'created-without-location')?.requestId)).toMatch(/^[0-9a-f]{32}$/);

    const metrics = await (await fetch(`${audit.adminUrl}/metrics`)).text();
    expect(sample(metrics, 'restaudit_requests_total', { method: 'GET', route: '/books/:id', status: '200' })).toBe(2);
    expect(sample(metrics, 'restaudit_violations_total', { rule: 'deleted-resource-still-served', severity: 'error', method: 'GET', route: '/books/:id' })).toBe(1);
    expect(sample(metrics, 'restaudit_violations_total', { rule: 'method-not-allowed-without-allow', severity: 'warning', method: 'PUT', route: '/books' })).toBe(1);

    const logged = audit.lines.filter((line) => line.msg === 'violation').map((line) => line.rule);
    expect(logged.sort()).toEqual([...expected].sort());
    // The credentials' values never reach the access log, nor restaudit's output.
    expect(readFileSync(nginx.log, 'utf8')).not.toContain('s3cr3t');
    expect(readFileSync(nginx.log, 'utf8')).toContain('"credentials":"yes"');
    expect(audit.stdout()).not.toContain('s3cr3t');
    expect(await audit.stop()).toBe(0);
  }, 30_000);

  it('stops cleanly on a SIGTERM sent the moment its start-up line is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-follow-'));
    const file = join(dir, 'traffic.ndjson');
    writeFileSync(file, '');
    // Several at once: the line must not come before the signal handler, and load widens that gap.
    const codes = await Promise.all(Array.from({ length: 12 }, async () => (await follow([file])).stop('SIGTERM')));
    expect(codes).toEqual(Array.from({ length: 12 }, () => 0));
  }, 30_000);

  it('follows a growing NDJSON file of HAR entries and serves what it found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-follow-'));
    const file = join(dir, 'traffic.ndjson');
    writeFileSync(file, '');
    const audit = await follow([file]);
    const entries = (JSON.parse(readFileSync(TRAFFIC, 'utf8')) as { log: { entries: unknown[] } }).log.entries;
    appendFileSync(file, `${entries.slice(0, 2).map((e) => JSON.stringify(e)).join('\n')}\n`);
    await until('the first finding', async () => {
      const text = await (await fetch(`${audit.adminUrl}/metrics`)).text();
      return sample(text, 'restaudit_violations_total', { rule: 'created-without-location', severity: 'error', method: 'POST', route: '/books' }) === 1 ? true : undefined;
    });
    appendFileSync(file, `${entries.slice(2).map((e) => JSON.stringify(e)).join('\n')}\n`);
    const rules = await until('the later findings', async () => {
      const answer = (await (await fetch(`${audit.adminUrl}/violations`)).json()) as { violations: Array<{ rule: string }> };
      return answer.violations.length >= 3 ? answer.violations.map((v) => v.rule) : undefined;
    });
    expect(rules).toEqual(['unauthorized-without-www-authenticate', 'deleted-resource-still-served', 'created-without-location']);
    expect(await audit.stop('SIGINT')).toBe(0);
    expect(audit.lines.find((line) => line.msg === 'stopped')).toMatchObject({ entries: 5, skipped: 0, findings: 3 });
  }, 30_000);
});
