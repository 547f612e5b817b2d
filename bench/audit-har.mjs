#!/usr/bin/env node
// `npm run bench:audit`: `restaudit audit` over a generated HAR of BENCH_HAR_MB megabytes
// (default 1024). Entries are API-like exchanges over many routes and hosts, some with
// bodies of a few KB, a few with a 2 MB body. Reports the peak RSS (VmHWM) and entries/s.
// The file is written to BENCH_HAR_DIR (default the OS temp dir) and removed afterwards.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setInterval, clearInterval } from 'node:timers';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const megabytes = Number(process.env.BENCH_HAR_MB ?? 1024);
const dir = mkdtempSync(join(process.env.BENCH_HAR_DIR ?? os.tmpdir(), "restaudit-bench-"));
const keep = process.env.BENCH_HAR_KEEP === "1";
const file = join(dir, 'big.har');

function entry(i) {
  const host = `api${i % 7}.example`;
  const id = i % 50_000;
  const kind = i % 10;
  const big = i % 5000 === 0;
  const body = big ? 'x'.repeat(2 << 20) : JSON.stringify({ id, name: `item ${id}`, tags: ['a', 'b', 'c'], description: 'y'.repeat(1500 + (i % 3000)) });
  const method = kind === 0 ? 'POST' : kind === 1 ? 'DELETE' : 'GET';
  const status = kind === 0 ? 201 : kind === 1 ? 204 : i % 97 === 0 ? 404 : 200;
  const headers = [{ name: 'Content-Type', value: 'application/json' }];
  if (kind === 0 && i % 3 !== 0) headers.push({ name: 'Location', value: `/items/${id}` });
  return {
    startedDateTime: new Date(1_700_000_000_000 + i * 10).toISOString(),
    time: 12.5,
    request: { method, url: `https://${host}/items/${id}?page=${i % 9}`, httpVersion: 'HTTP/1.1', headers: [{ name: 'Authorization', value: 'Bearer abc' }], queryString: [], cookies: [], headersSize: -1, bodySize: -1 },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers,
      cookies: [],
      content: { size: status === 204 ? 0 : body.length, mimeType: 'application/json', ...(status === 204 ? {} : { text: body }) },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 10, receive: 2.5 },
  };
}

async function generate() {
  const out = createWriteStream(file);
  const write = (text) => (out.write(text) ? undefined : new Promise((r) => out.once('drain', r)));
  await write('\uFEFF{"log":{"version":"1.2","creator":{"name":"restaudit bench","version":"1"},"entries":[\n');
  let written = 0;
  let i = 0;
  while (written < megabytes * 1024 * 1024) {
    const text = `${i === 0 ? '' : ',\n'}${JSON.stringify(entry(i))}`;
    written += text.length;
    i++;
    await write(text);
  }
  await write('\n]}}\n');
  await new Promise((r) => out.end(r));
  return i;
}

const entries = await generate();
const size = statSync(file).size;
console.log(`generated ${(size / 1048576).toFixed(0)} MB, ${entries} entries`);
const started = performance.now();
const child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'audit', file, '--fail-on', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
let peak = 0;
const sampler = setInterval(() => {
  try {
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;
    if (Number.isFinite(hwm)) peak = Math.max(peak, hwm);
  } catch {
    // The process has exited between two samples.
  }
}, 100);
let stderr = '';
child.stderr.on('data', (c) => (stderr += c));
let stdout = '';
child.stdout.on('data', (c) => (stdout = (stdout + c).slice(-4096)));
const code = await new Promise((r) => child.on('close', r));
clearInterval(sampler);
const seconds = (performance.now() - started) / 1000;
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${file}`);
console.log(stderr.trim(), stdout.trim().split('\n').pop());
console.log(`exit ${code}; ${seconds.toFixed(1)} s; ${Math.round(entries / seconds)} entries/s; ${(size / 1048576 / seconds).toFixed(1)} MB/s; peak RSS ${(peak / 1048576).toFixed(0)} MB`);
