#!/usr/bin/env node
// `npm run bench`: restaudit's overhead, side by side with what it is built on.
// One interleaved run (every configuration in turn, round after round, so drift hits all
// alike) of the same backend reached directly, through a bare http-proxy passthrough,
// through restaudit (default settings, every built-in rule on), through restaudit with an
// OpenAPI document of the backend (`--spec bench/openapi.yaml`: the spec rules and schema
// validation of every JSON body) and through nginx when installed. Reports medians of the rounds and each configuration's ratio to the passthrough.
//
// A second part compares restaudit with one and with two workers (`--workers 2`); there,
// nothing is pinned, since two workers need two cores (shared with wrk and the backend).
//
// Environment: BENCH_ROUNDS (3), BENCH_DURATION seconds per run (3), BENCH_CASES
// (comma-separated case names), BENCH_CONNECTIONS (e.g. 1,32,128), BENCH_WORKERS=0 to skip
// the workers part, BENCH_INSPECT_ALL=0 to leave out the restaudit that scans every JSON body.
// Every process runs with the allocator settings restaudit ships with (GLIBC_TUNABLES, as the
// image and `npm start` set it; src/malloc-tunables.ts), unless GLIBC_TUNABLES is set already.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { MALLOC_TUNABLES } = await import(join(root, 'dist/malloc-tunables.js'));
process.env.GLIBC_TUNABLES ??= MALLOC_TUNABLES;
const results = join(root, 'bench', 'results');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 3);
const ports = { backend: 41801, passthrough: 41802, restaudit: 41803, admin: 41804, nginx: 41805, workers: 41806, workersAdmin: 41807, spec: 41808, specAdmin: 41809, inspectAll: 41810, inspectAllAdmin: 41811 };
/** BENCH_INSPECT_ALL=0 leaves out the restaudit that scans every JSON body (`inspect.jsonSampling.enabled: false`). */
const inspectAll = process.env.BENCH_INSPECT_ALL !== '0';

/** Files and directories this run writes under the temporary directory, removed at exit. */
const temporary = [];
process.on('exit', () => {
  for (const path of temporary) rmSync(path, { recursive: true, force: true });
});

function which(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const wrk = which('wrk');
const taskset = which('taskset') && os.cpus().length >= 2 ? which('taskset') : undefined;
const nginx = which('nginx') ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined);
if (wrk === undefined) {
  console.error('bench: wrk is not installed. Install it (Debian/Ubuntu: apt-get install wrk) and run again.');
  process.exit(1);
}
if (nginx === undefined) console.error('bench: nginx not installed (apt-get install nginx-light): the native reference is left out.');

/** CPU pinning: the load generator on core 0, proxy and backend on core 1. */
const pinServer = (command, args) => (taskset ? [taskset, ['-c', '1', command, ...args]] : [command, args]);
const pinLoad = (command, args) => (taskset ? [taskset, ['-c', '0', command, ...args]] : [command, args]);
/** Lets a running process (every thread) use every core again. */
const unpin = (pid) => {
  if (taskset) execFileSync(taskset, ['-a', '-p', '-c', `0-${os.cpus().length - 1}`, String(pid)], { stdio: 'ignore' });
};

const CASES = [
  { name: 'small GET', path: '/small', connections: [1, 32, 128] },
  { name: 'POST 1 KiB JSON', path: '/items', method: 'POST', body: JSON.stringify({ name: 'x'.repeat(1000) }).slice(0, 1024), connections: [1, 32, 128] },
  { name: 'GET 64 KiB JSON', path: '/large', connections: [1, 32, 128] },
  { name: 'GET 64 KiB exact', path: '/exact', connections: [1, 32, 128] },
  { name: 'GET 10 MiB stream', path: '/huge', connections: [1, 8] },
].filter((c) => process.env.BENCH_CASES === undefined || process.env.BENCH_CASES.split(',').includes(c.name));
const connectionFilter = process.env.BENCH_CONNECTIONS?.split(',').map(Number);

function startNode(script, args) {
  const [command, argv] = pinServer(process.execPath, [script, ...args]);
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((done) => child.once('message', () => done(child)));
}

async function startRestaudit({ port = ports.restaudit, admin = ports.admin, workers = 1, pinned = true, spec = undefined, config = undefined } = {}) {
  let configArgs = [];
  if (config !== undefined) {
    const file = join(os.tmpdir(), `restaudit-bench-config-${process.pid}-${port}.json`);
    temporary.push(file);
    writeFileSync(file, JSON.stringify(config));
    configArgs = ['--config', file];
  }
  const args = [
    join(root, 'dist/cli.js'),
    ...configArgs,
    '--target', `http://127.0.0.1:${ports.backend}`,
    '--listen', `127.0.0.1:${port}`,
    '--admin-listen', `127.0.0.1:${admin}`,
    '--workers', String(workers),
    ...(spec === undefined ? [] : ['--spec', spec]),
  ];
  const [command, argv] = pinned ? pinServer(process.execPath, args) : [process.execPath, args];
  // The log goes to a file, which takes every line at once, as a log shipper reading promptly
  // would: this script blocks while wrk runs, and a pipe it did not read would fill.
  const log = join(os.tmpdir(), `restaudit-bench-log-${process.pid}-${port}.ndjson`);
  temporary.push(log);
  const fd = openSync(log, 'w');
  const child = spawn(command, argv, { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  while (!readFileSync(log, 'utf8').includes('restaudit listening')) await new Promise((done) => setTimeout(done, 50));
  return { child, violations: () => occurrences(log, '"msg":"violation"') };
}


/** How often `text` occurs in a file, read 1 MiB at a time (a busy proxy's log is large). */
function occurrences(file, text) {
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(2 ** 20);
  let count = 0;
  let carry = '';
  for (let read; (read = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) {
    const part = carry + chunk.toString('latin1', 0, read);
    for (let at = part.indexOf(text); at !== -1; at = part.indexOf(text, at + text.length)) count++;
    carry = part.slice(-(text.length - 1));
  }
  closeSync(fd);
  return count;
}

function startNginx() {
  const dir = join(os.tmpdir(), `restaudit-bench-nginx-${process.pid}`);
  temporary.push(dir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${ports.backend}; keepalive 256; }
  server {
    listen 127.0.0.1:${ports.nginx};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`,
  );
  const [command, argv] = pinServer(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  const child = spawn(command, argv, { stdio: 'ignore' });
  return new Promise((done) => setTimeout(() => done(child), 500));
}

/** CPU time (µs) and peak RSS (bytes) of a process and its children (nginx's worker), from /proc. */
function usage(pid) {
  try {
    let cpuMicros = 0;
    let peakRss = 0;
    for (const id of [pid, ...childrenOf(pid)]) {
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuMicros += ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
      const status = readFileSync(`/proc/${id}/status`, 'utf8');
      peakRss += Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    }
    return { cpuMicros, peakRss };
  } catch {
    return { cpuMicros: NaN, peakRss: NaN };
  }
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The process that does the proxying (under taskset, the child is the real process). */
function serverPid(child) {
  return child.pid;
}

function runWrk(url, testCase, connections, pinned = true) {
  const args = ['-t', '1', '-c', String(connections), '-d', `${duration}s`, '--latency'];
  if (testCase.method === 'POST') {
    const script = join(os.tmpdir(), `restaudit-bench-post-${process.pid}.lua`);
    temporary.push(script);
    writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(testCase.body)}\nwrk.headers["Content-Type"] = "application/json"\n`);
    args.push('-s', script);
  }
  args.push(url + testCase.path);
  const [command, argv] = pinned ? pinLoad(wrk, args) : [wrk, args];
  const out = execFileSync(command, argv, { encoding: 'utf8' });
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const toMs = (text) => {
    const m = /([\d.]+)(us|ms|s)/.exec(text ?? '');
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  const socketErrors = /Socket errors: (.*)/.exec(out)?.[1];
  return { requests, rps, p50: toMs(/ 50%\s+(\S+)/.exec(out)?.[1]), p99: toMs(/ 99%\s+(\S+)/.exec(out)?.[1]), errors: Number(errors ?? 0), socketErrors };
}

const median = (values) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs every case against every configuration, round after round; returns the samples. */
function measure(configs, cases, { pinned }) {
  const samples = new Map();
  // Warm up every path through every configuration (JIT, connection pools).
  for (const config of configs) for (const testCase of cases) runWrk(config.url, testCase, 8, pinned);
  for (let round = 1; round <= rounds; round++) {
    for (const testCase of cases) {
      for (const connections of connectionsOf(testCase)) {
        for (const config of configs) {
          const before = config.pid ? usage(config.pid) : undefined;
          const result = runWrk(config.url, testCase, connections, pinned);
          const after = config.pid ? usage(config.pid) : undefined;
          const key = `${testCase.name}|${connections}|${config.name}`;
          const list = samples.get(key) ?? [];
          list.push({ ...result, cpuPerRequest: before && after ? (after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests) : NaN, peakRss: after?.peakRss ?? NaN });
          samples.set(key, list);
        }
      }
    }
    console.error(`bench: round ${round}/${rounds} done`);
  }
  return samples;
}

const connectionsOf = (testCase) => testCase.connections.filter((c) => !connectionFilter || connectionFilter.includes(c));

/** The markdown table of one part, each configuration against `baseName`. */
function table(configs, cases, samples, baseName) {
  const lines = [];
  lines.push(`| case | conns | configuration | req/s | p50 ms | p99 ms | proxy CPU µs/req | peak RSS MB | req/s vs ${baseName} | p99 vs ${baseName} |`);
  lines.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const testCase of cases) {
    for (const connections of connectionsOf(testCase)) {
      const base = samples.get(`${testCase.name}|${connections}|${baseName}`) ?? [];
      const baseRps = median(base.map((s) => s.rps));
      const baseP99 = median(base.map((s) => s.p99));
      for (const config of configs) {
        const list = samples.get(`${testCase.name}|${connections}|${config.name}`) ?? [];
        const rps = median(list.map((s) => s.rps));
        const p99 = median(list.map((s) => s.p99));
        const cpu = median(list.map((s) => s.cpuPerRequest));
        const rss = Math.max(...list.map((s) => s.peakRss));
        const errors = list.reduce((sum, s) => sum + s.errors, 0);
        lines.push(
          `| ${testCase.name} | ${connections} | ${config.name}${errors ? ` (${errors} non-2xx)` : ''} | ${rps.toFixed(0)} | ${median(list.map((s) => s.p50)).toFixed(2)} | ${p99.toFixed(2)} | ${Number.isNaN(cpu) ? '–' : cpu.toFixed(0)} | ${Number.isFinite(rss) ? (rss / 2 ** 20).toFixed(0) : '–'} | ${(rps / baseRps).toFixed(2)} | ${(p99 / baseP99).toFixed(2)} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

async function main() {
  const backend = await startNode(join(root, 'bench/backend.mjs'), [String(ports.backend)]);
  const passthrough = await startNode(join(root, 'bench/passthrough.mjs'), [String(ports.passthrough), `http://127.0.0.1:${ports.backend}`]);
  const restaudit = await startRestaudit();
  const withSpec = await startRestaudit({ port: ports.spec, admin: ports.specAdmin, spec: join(root, 'bench/openapi.yaml') });
  const everyBody = inspectAll ? await startRestaudit({ port: ports.inspectAll, admin: ports.inspectAllAdmin, config: { inspect: { jsonSampling: { enabled: false } } } }) : undefined;
  const nginxChild = nginx ? await startNginx() : undefined;
  const children = [backend, passthrough, restaudit.child, withSpec.child, everyBody?.child];
  const configs = [
    { name: 'direct', url: `http://127.0.0.1:${ports.backend}`, pid: undefined },
    { name: 'http-proxy passthrough', url: `http://127.0.0.1:${ports.passthrough}`, pid: serverPid(passthrough) },
    { name: 'restaudit', url: `http://127.0.0.1:${ports.restaudit}`, pid: serverPid(restaudit.child) },
    { name: 'restaudit --spec', url: `http://127.0.0.1:${ports.spec}`, pid: serverPid(withSpec.child) },
    ...(everyBody ? [{ name: 'restaudit, every JSON body scanned', url: `http://127.0.0.1:${ports.inspectAll}`, pid: serverPid(everyBody.child) }] : []),
    ...(nginxChild ? [{ name: 'nginx', url: `http://127.0.0.1:${ports.nginx}`, pid: serverPid(nginxChild) }] : []),
  ];
  const cleanup = () => {
    for (const child of children) child?.kill('SIGKILL');
    nginxChild?.kill('SIGQUIT'); // the master stops its worker too
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const lines = [];
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, Node ${process.version}`;
  lines.push(`restaudit benchmark, ${new Date().toISOString().slice(0, 10)}`, '', `Machine: ${machine}.`);
  lines.push(`Load: wrk (1 thread), ${duration} s a run, medians of ${rounds} interleaved rounds; ${taskset ? 'wrk pinned to core 0, backend and proxies to core 1 (taskset)' : 'no CPU pinning (taskset missing or one core)'}.`);
  lines.push(`Every process: GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES} (as restaudit ships).`);
  try {
    const samples = measure(configs, CASES, { pinned: true });
    lines.push(`restaudit: default settings, every built-in rule on; the backend's answers are well-formed (${restaudit.violations()} violations logged during the run).`);
    lines.push(`restaudit --spec: the same, with bench/openapi.yaml: routes from the document, the spec rules on, every JSON body validated against its schema (${withSpec.violations()} violations logged).`, '');
    lines.push(table(configs, CASES, samples, 'http-proxy passthrough'));
    lines.push('', '### The spec against no spec', '');
    lines.push(table([configs[2], configs[3]], CASES, samples, 'restaudit'));

    const workerCases = CASES.filter((c) => c.name === 'small GET' || c.name === 'POST 1 KiB JSON');
    if (process.env.BENCH_WORKERS !== '0' && os.cpus().length >= 2 && workerCases.length > 0) {
      // Two workers need two cores: from here on nothing is pinned.
      for (const child of [backend, passthrough, restaudit.child]) unpin(child.pid);
      everyBody?.child.kill('SIGKILL');
      const two = await startRestaudit({ port: ports.workers, admin: ports.workersAdmin, workers: 2, pinned: false });
      children.push(two.child);
      const workerConfigs = [configs[1], { ...configs[2], name: 'restaudit, 1 worker' }, { name: 'restaudit, 2 workers', url: `http://127.0.0.1:${ports.workers}`, pid: serverPid(two.child) }];
      const workerSamples = measure(workerConfigs, workerCases, { pinned: false });
      lines.push('', '### One worker against two (`--workers 2`)', '');
      lines.push('Nothing pinned: wrk, the backend and the proxies share both cores. CPU and RSS of "2 workers" include the primary and both workers.', '');
      lines.push(table(workerConfigs, workerCases, workerSamples, 'restaudit, 1 worker'));
    }
  } finally {
    cleanup();
  }
  // What the spec costs inside restaudit, without the network's noise (bench/spec-cost.mjs).
  const [command, argv] = pinServer(process.execPath, [join(root, 'bench/spec-cost.mjs')]);
  lines.push('', '### What a spec costs per exchange', '', execFileSync(command, argv, { encoding: 'utf8' }).trim());
  const text = lines.join('\n');
  mkdirSync(results, { recursive: true });
  const file = join(results, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, `${text}\n`);
  console.log(text);
  console.error(`bench: written to ${file}`);
}

await main();
