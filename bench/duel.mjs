#!/usr/bin/env node
// Side by side: restaudit builds (or flags) under the same load at the same time, for
// differences smaller than `npm run bench` can resolve on a shared machine. Every proxy and
// the backend are pinned to core 1, one wrk per proxy to core 0, all loaded at once; each
// round reports each proxy's CPU time per request (/proc/PID/stat) as a ratio to the first.
// Give the first configuration twice: the copy is the calibration (it should be within
// about 3 % of 1.00; when it is not, the round says nothing).
//   node bench/duel.mjs PATH CONNECTIONS SECONDS ROUNDS NAME=CHECKOUT[:CONFIG_JSON[:NODE_FLAG,...]] ...
//   CHECKOUT: a directory with a built dist/ (a git worktree of another commit), or PASS for
//   bench/passthrough.mjs. POST=1 sends the 1 KiB JSON POST of `npm run bench`.
//   e.g. node bench/duel.mjs /items/1 32 8 5 a=. a2=. small=.::--max-semi-space-size=4
// Linux only (taskset, /proc); needs wrk.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [path, conns, seconds, rounds, ...specs] = process.argv.slice(2);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Every process runs with the allocator settings restaudit ships with (src/malloc-tunables.ts),
// unless GLIBC_TUNABLES is set (empty: glibc's own).
const { MALLOC_TUNABLES } = await import(join(root, 'dist/malloc-tunables.js'));
process.env.GLIBC_TUNABLES ??= MALLOC_TUNABLES;
const post = process.env.POST === '1';
const lua = join(os.tmpdir(), `restaudit-duel-${process.pid}.lua`);
writeFileSync(lua, `wrk.method = "POST"\nwrk.body = '${JSON.stringify({ name: 'x'.repeat(1000) }).slice(0, 1024)}'\nwrk.headers["Content-Type"] = "application/json"\n`);
const backendPort = 42801;
const backend = spawn('taskset', ['-c', '1', process.execPath, join(root, 'bench/backend.mjs'), String(backendPort)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
await new Promise((done) => backend.once('message', done));

const proxies = [];
// Whatever ends this script (an error too) ends what it started.
const files = [lua];
process.on('exit', () => {
  for (const p of proxies) p.child.kill();
  backend.kill();
  for (const file of files) rmSync(file, { force: true });
});
let port = 42810;
for (const spec of specs) {
  const eq = spec.indexOf('=');
  const name = spec.slice(0, eq);
  // CONFIG is JSON (colons of its own): the checkout is before the first colon, the node
  // flags (starting with --) after the last one.
  const [dir, ...rest] = spec.slice(eq + 1).split(':');
  const flags = rest.length > 1 && rest.at(-1).startsWith('--') ? rest.pop() : undefined;
  const config = rest.join(':');
  const args = [];
  if (flags) args.push(...flags.split(','));
  if (dir === 'PASS') {
    const child = spawn('taskset', ['-c', '1', process.execPath, ...args, join(root, 'bench/passthrough.mjs'), String(port), `http://127.0.0.1:${backendPort}`], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise((done) => child.once('message', done));
    proxies.push({ name, port, child, cpu: [], reqs: [], p99: [] });
    port += 2;
    continue;
  }
  args.push(join(resolve(dir), 'dist/cli.js'), '--target', `http://127.0.0.1:${backendPort}`, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${port + 1}`);
  if (config) {
    const file = join(os.tmpdir(), `restaudit-duel-${process.pid}-${port}.json`);
    writeFileSync(file, config);
    files.push(file);
    args.push('--config', file);
  }
  const child = spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((done) => {
    let text = '';
    child.stdout.on('data', (c) => {
      if (text !== undefined) {
        text += c;
        if (text.includes('restaudit listening')) {
          text = undefined;
          done();
        }
      }
    });
  });
  proxies.push({ name, port, child, cpu: [], reqs: [], p99: [] });
  port += 2;
}

/** CPU time of a process in clock ticks (10 ms each on Linux: USER_HZ 100). */
const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const wrkRun = (p) =>
  new Promise((done) => {
    const args = ['-c', '0', 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, '--latency', ...(post ? ['-s', lua] : []), `http://127.0.0.1:${p.port}${path}`];
    const child = spawn('taskset', args);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', () => done(out));
  });
const ms = (text) => {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  return m[2] === 'us' ? Number(m[1]) / 1000 : m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
};

for (let round = 0; round < Number(rounds); round++) {
  const before = proxies.map((p) => ticks(p.child.pid));
  const outs = await Promise.all(proxies.map(wrkRun));
  proxies.forEach((p, i) => {
    const used = ticks(p.child.pid) - before[i];
    const reqs = Number(/(\d+) requests in/.exec(outs[i])[1]);
    p.cpu.push(used);
    p.reqs.push(reqs);
    p.p99.push(ms(/99%\s+(\S+)/.exec(outs[i])[1]));
  });
  const base = (proxies[0].cpu[round] * 10000) / proxies[0].reqs[round];
  console.log(`round ${round}: ` + proxies.map((p) => `${p.name} ${((p.cpu[round] * 10000) / p.reqs[round]).toFixed(1)}us/req (${(((p.cpu[round] * 10000) / p.reqs[round]) / base).toFixed(3)})`).join('  '));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const p of proxies) {
  const per = median(p.cpu.map((c, i) => c / p.reqs[i]));
  const ratios = p.cpu.map((c, i) => c / p.reqs[i] / (proxies[0].cpu[i] / proxies[0].reqs[i]));
  console.log(`${p.name.padEnd(8)} cpu/req ${(per * 10000).toFixed(1)} us  ratio(median of per-round) ${median(ratios).toFixed(3)}  reqs/round ${median(p.reqs)}  p99 ${median(p.p99)} ms`);
}
process.exit(0);
