#!/usr/bin/env node
// The container test (`npm run test:container`): builds the Dockerfile with podman through
// ../shared/tools/container-smoke, runs the image in front of a backend on the host, sends
// traffic that breaks known rules, reads the violations from /metrics and from the
// container's log, runs the HEALTHCHECK, then sends SIGTERM during an exchange and checks
// that the exchange completes and the container exits 0 within the grace period.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const smoke = process.env.CONTAINER_SMOKE ?? resolve(root, '../shared/tools/container-smoke');
const tag = 'localhost/restaudit:container-test';
const GRACE_MS = 10_000;

function fail(message) {
  console.error(`container test: FAILED: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

function check(condition, message) {
  if (!condition) fail(message);
  console.log(`container test: ok: ${message}`);
}

/**
 * Runs container-smoke and resolves when it exits. Its detached container inherits the
 * output pipes and keeps them open, so waiting for them to close would wait forever.
 */
function smokeCall(args) {
  return new Promise((done, reject) => {
    const child = spawn(smoke, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      // Let what is already in the pipes arrive, then let go of them.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        if (code === 0) done({ stdout, stderr });
        else reject(Object.assign(new Error(`container-smoke ${args[0]} exited ${code}`), { stdout, stderr }));
      }, 100);
    });
  });
}

/** A backend on the host: the container shares the host network. */
async function startBackend() {
  const server = http.createServer((req, res) => {
    if (req.url === '/orders' && req.method === 'POST') {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"id":1}');
    } else if (req.url === '/raw') {
      res.writeHead(200);
      res.end('no content type here');
    } else if (req.url === '/slow') {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"slow":true}');
      }, 1500);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

function send(url, method = 'GET', body) {
  return new Promise((done, reject) => {
    const req = http.request(url, { method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  if (!existsSync(smoke)) fail(`container-smoke not found at ${smoke} (set CONTAINER_SMOKE)`);
  const backend = await startBackend();
  const backendUrl = `http://127.0.0.1:${backend.address().port}`;
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-container-'));
  const configFile = join(dir, 'restaudit.yaml');
  writeFileSync(configFile, 'rules:\n  missing-content-type: { severity: warning }\nroutes:\n  - /orders/:orderId\n');
  chmodSync(dir, 0o755);
  chmodSync(configFile, 0o644);

  let cid;
  let proxyUrl;
  let adminUrl;
  // Host networking: choose ports at random and try again if they are taken.
  for (let attempt = 0; attempt < 3 && cid === undefined; attempt++) {
    const base = 30000 + Math.floor(Math.random() * 20000);
    proxyUrl = `http://127.0.0.1:${base}`;
    adminUrl = `http://127.0.0.1:${base + 1}`;
    try {
      const started = Date.now();
      const { stdout } = await smokeCall([
        '--context', root, '--tag', tag, '-q',
        '-e', `RESTAUDIT_TARGET=${backendUrl}`,
        '-e', `RESTAUDIT_LISTEN=127.0.0.1:${base}`,
        '-e', `RESTAUDIT_ADMIN_LISTEN=127.0.0.1:${base + 1}`,
        '-e', 'RESTAUDIT_CONFIG=/etc/restaudit/restaudit.yaml',
        '-v', `${configFile}:/etc/restaudit/restaudit.yaml:ro`,
        '--wait-http', `${adminUrl}/healthz`, '--wait-timeout', '180',
      ]);
      cid = stdout.trim().split('\n').pop();
      console.log(`container test: image built and started in ${((Date.now() - started) / 1000).toFixed(1)} s (${cid.slice(0, 12)})`);
    } catch (error) {
      console.error(`container test: start attempt ${attempt + 1} failed: ${error.stderr?.split('\n').slice(-15).join('\n') ?? error.message}`);
    }
  }
  if (cid === undefined) fail('the image did not build or start');

  try {
    check((await send(`${proxyUrl}/orders`, 'POST', '{"item":1}')).status === 201, 'POST /orders proxied (201)');
    check((await send(`${proxyUrl}/raw`)).text === 'no content type here', 'GET /raw proxied unchanged');
    check((await send(`${proxyUrl}/orders/7`)).status === 200, 'GET /orders/7 proxied');
    await new Promise((done) => setTimeout(done, 200));

    const metrics = (await send(`${adminUrl}/metrics`)).text;
    check(metrics.includes('restaudit_violations_total{rule="created-without-location",severity="error",method="POST",route="/orders"} 1'), '/metrics counts created-without-location');
    check(metrics.includes('restaudit_violations_total{rule="missing-content-type",severity="warning",method="GET",route="/raw"} 1'), 'the mounted config file applies (missing-content-type as warning)');
    check(metrics.includes('route="/orders/:orderId"'), 'the configured route template labels /orders/7');
    check(/restaudit_build_info\{version="[\d.]+",node_version="v22\./.test(metrics), 'build info reports Node 22');

    const { stdout: logs } = await smokeCall(['logs', cid]);
    const lines = logs.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    check(lines[0]?.msg?.includes(`proxying to ${backendUrl}`), 'the first log line says where it listens and what it proxies to');
    check(lines.some((line) => line.msg === 'violation' && line.rule === 'created-without-location' && line.level === 50), 'the log has the violation line');

    await smokeCall(['health', cid]);
    check(true, 'the HEALTHCHECK passes');

    const slow = send(`${proxyUrl}/slow`);
    await new Promise((done) => setTimeout(done, 300));
    const signalled = Date.now();
    await smokeCall(['podman', 'kill', '--signal', 'TERM', cid]);
    const answer = await slow;
    check(answer.status === 200 && answer.text === '{"slow":true}', 'an exchange in flight at SIGTERM completes');
    const { stdout: waited } = await smokeCall(['podman', 'wait', cid]);
    const seconds = (Date.now() - signalled) / 1000;
    check(waited.trim() === '0', `the container exits 0 after SIGTERM (exit ${waited.trim()})`);
    check(seconds * 1000 < GRACE_MS, `it stops within the ${GRACE_MS / 1000} s grace period (${seconds.toFixed(1)} s)`);
    const { stdout: finalLogs } = await smokeCall(['logs', cid]);
    check(finalLogs.includes('"msg":"shutting down"') && finalLogs.includes('"msg":"stopped"'), 'the log records the graceful shutdown');
  } finally {
    await smokeCall(['stop', cid]).catch(() => {});
    backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('container test: passed');
}

main().catch((error) => {
  if (process.exitCode !== 1) console.error(`container test: FAILED: ${error.stack ?? error}`);
  process.exitCode = 1;
});
