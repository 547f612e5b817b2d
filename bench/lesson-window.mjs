#!/usr/bin/env node
// `npm run bench:lessons`: how often a lesson taught on one worker is missed on the other.
// restaudit --workers 2 in front of a backend that answers DELETE with 204 and GET with 200;
// each trial sends DELETE /users/N on one kept-alive connection and, the moment its 204
// arrives, GET /users/N on another (the primary hands connections to the workers in turn,
// so the two land on different workers). Every GET must be found as
// deleted-resource-still-served; a trial without that finding is a missed lesson.
//
// Environment: LESSON_TRIALS (1000), LESSON_CLI (dist/cli.js: another build to compare).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const trials = Number(process.env.LESSON_TRIALS ?? 1000);

const backend = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'DELETE') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":1}');
    }
  });
});
await new Promise((done) => backend.listen(0, '127.0.0.1', done));
const target = `http://127.0.0.1:${backend.address().port}`;

const cli = process.env.LESSON_CLI ?? join(root, 'dist', 'cli.js');
const child = spawn(process.execPath, [cli, '--target', target, '--workers', '2', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let found = 0;
const seen = new Set();
let proxy;
let buffered = '';
const started = new Promise((done) => {
  child.stdout.on('data', (chunk) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const text of lines) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text);
      if (proxy === undefined && typeof line.listen === 'string') {
        proxy = line.listen;
        done();
      }
      if (line.msg === "violation" && line.rule === "deleted-resource-still-served") { found++; seen.add(line.path); }
    }
  });
});
await started;

function send(agent, method, path) {
  return new Promise((done, fail) => {
    const req = http.request(`http://${proxy}${path}`, { method, agent }, (res) => {
      res.resume();
      res.on('end', done);
    });
    req.on('error', fail);
    req.end();
  });
}

const agents = [new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: true, maxSockets: 1 })];
await Promise.all(agents.map((agent) => send(agent, 'GET', '/warm-up')));
const begin = performance.now();
for (let i = 0; i < trials; i++) {
  await send(agents[i % 2], 'DELETE', `/users/${i}`);
  await send(agents[(i + 1) % 2], 'GET', `/users/${i}`);
}
const elapsed = performance.now() - begin;
await new Promise((done) => setTimeout(done, 1000));
const missedPaths = [];
for (let i = 0; i < trials; i++) if (!seen.has(`/users/${i}`)) missedPaths.push(i);
console.log(JSON.stringify({ missedPaths }));
console.log(JSON.stringify({ trials, found, missed: trials - found, pairMs: Math.round((elapsed / trials) * 1000) / 1000 }));
for (const agent of agents) agent.destroy();
child.kill('SIGTERM');
backend.close();
