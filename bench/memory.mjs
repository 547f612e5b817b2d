#!/usr/bin/env node
// `npm run bench:memory`: restaudit's memory under 1,000,000 requests to distinct paths, with
// default settings. Every request carries credentials, so each distinct path is remembered
// by the cross-exchange memory (the worst case for it). Samples RSS as it goes and reports
// the peak and whether RSS is flat over the second half.
//   BENCH_REQUESTS (1000000), BENCH_CONNECTIONS (32)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The allocator settings restaudit ships with (src/malloc-tunables.ts); GLIBC_TUNABLES= (empty) for glibc's own.
const { MALLOC_TUNABLES } = await import(join(root, 'dist/malloc-tunables.js'));
process.env.GLIBC_TUNABLES ??= MALLOC_TUNABLES;
const target = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ports = { backend: 41901, restaudit: 41903, admin: 41904 };

try {
  execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
} catch {
  console.error('bench: wrk is not installed. Install it (Debian/Ubuntu: apt-get install wrk) and run again.');
  process.exit(1);
}

function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) * 1024, peak: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) * 1024 };
}

const backend = spawn(process.execPath, [join(root, 'bench/backend.mjs'), String(ports.backend)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
await new Promise((done) => backend.once('message', done));
const restaudit = spawn(process.execPath, [join(root, 'dist/cli.js'), '--target', `http://127.0.0.1:${ports.backend}`, '--listen', `127.0.0.1:${ports.restaudit}`, '--admin-listen', `127.0.0.1:${ports.admin}`], { stdio: ['ignore', 'ignore', 'inherit'] });
await new Promise((done) => setTimeout(done, 1000));

const script = join(os.tmpdir(), `restaudit-bench-distinct-${process.pid}.lua`);
process.on('exit', () => rmSync(script, { force: true }));
const samples = [];
let sent = 0;
let segment = 0;
const started = Date.now();
try {
  while (sent < target) {
    // Each wrk run starts its own counter: offset it, so that no path repeats across runs.
    writeFileSync(
      script,
      `counter = ${++segment * 10_000_000}
request = function()
  counter = counter + 1
  return wrk.format("GET", "/items/" .. counter, { ["Authorization"] = "Bearer bench" })
end
`,
    );
    const out = execFileSync('wrk', ['-t', '1', '-c', String(connections), '-d', '10s', '-s', script, `http://127.0.0.1:${ports.restaudit}/`], { encoding: 'utf8' });
    sent += Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
    const memory = rss(restaudit.pid);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.admin}/metrics`)).text();
    const entries = Number(/^restaudit_memory_entries (\d+)/m.exec(metrics)?.[1] ?? NaN);
    samples.push({ sent, ...memory, entries });
    console.error(`bench: ${sent} requests, RSS ${(memory.rss / 2 ** 20).toFixed(0)} MB, memory entries ${entries}`);
  }
} finally {
  restaudit.kill('SIGKILL');
  backend.kill('SIGKILL');
}
const second = samples.slice(Math.floor(samples.length / 2));
const first = second[0];
const last = second[second.length - 1];
const peak = Math.max(...samples.map((s) => s.peak));
const growth = last.rss - first.rss;
console.log(`| requests | seconds | peak RSS | RSS at half-way | RSS at end | growth over the second half | memory entries at end |`);
console.log(`|---:|---:|---:|---:|---:|---:|---:|`);
console.log(
  `| ${sent} | ${((Date.now() - started) / 1000).toFixed(0)} | ${(peak / 2 ** 20).toFixed(0)} MB | ${(first.rss / 2 ** 20).toFixed(0)} MB | ${(last.rss / 2 ** 20).toFixed(0)} MB | ${(growth / 2 ** 20).toFixed(1)} MB (${((100 * growth) / first.rss).toFixed(1)} %) | ${last.entries} |`,
);
