import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedBackend, json, type Script } from '../helpers/scripted-backend.js';
import { request, eventually, startBackend, type Started } from '../helpers/servers.js';
import { runCli, serveCli } from './cli-process.js';

/** The rule table of the public contract: id → default severity. */
const CONTRACT_RULES: Record<string, string> = {
  'post-200-without-location': 'warning',
  'created-without-location': 'error',
  'server-error-on-bad-input': 'error',
  'unexpected-success-status': 'warning',
  'safe-method-created': 'error',
  'body-on-no-content': 'error',
  'body-on-head': 'error',
  'unauthorized-without-www-authenticate': 'warning',
  'method-not-allowed-without-allow': 'warning',
  'redirect-without-location': 'warning',
  'error-payload-with-success-status': 'warning',
  'invalid-json-response': 'error',
  'error-not-problem-json': 'info',
  'problem-status-mismatch': 'warning',
  'partial-without-content-range': 'warning',
  'missing-content-type': 'info',
  'stack-trace-leak': 'warning',
  'forbidden-without-credentials': 'info',
  'not-found-masks-auth': 'warning',
  'protected-route-served-anonymously': 'error',
  'created-resource-not-found': 'error',
  'deleted-resource-still-served': 'error',
  'head-not-supported': 'warning',
  'allow-omits-working-method': 'warning',
  'put-created-without-201': 'warning',
  'undocumented-operation': 'warning',
  'undocumented-status': 'warning',
  'undocumented-content-type': 'warning',
  'response-schema-mismatch': 'error',
  'request-schema-violation-accepted': 'error',
  'missing-documented-header': 'warning',
};

const dir = mkdtempSync(join(tmpdir(), 'restaudit-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('restaudit CLI (built dist/cli.js)', () => {
  it('prints its version and help', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('restaudit rules [--json]');
    expect(help.stdout).toContain('RESTAUDIT_TARGET');
  });

  it('lists every rule of the contract with its default severity', async () => {
    const { code, stdout } = await runCli(['rules', '--json']);
    expect(code).toBe(0);
    const { rules } = JSON.parse(stdout) as { rules: Array<{ id: string; severity: string; summary: string; reference: string }> };
    expect(Object.fromEntries(rules.map((rule) => [rule.id, rule.severity]))).toEqual(CONTRACT_RULES);
    for (const rule of rules) {
      expect(rule.summary.length).toBeGreaterThan(10);
      expect(rule.reference.length).toBeGreaterThan(3);
    }
    const text = await runCli(['rules']);
    expect(text.stdout.split('\n').filter(Boolean)).toHaveLength(Object.keys(CONTRACT_RULES).length);
  });

  it('exits 2 naming a bad flag', async () => {
    const result = await runCli(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/restaudit: .*'--bogus'/);
    const listen = await runCli(['--listen', 'nowhere', '--target', 'http://127.0.0.1:9']);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toContain('restaudit: listen: expected HOST:PORT, e.g. 0.0.0.0:8080 (from --listen)');
    const level = await runCli(['--log-level', 'loud', '--target', 'http://127.0.0.1:9']);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('--log-level: expected one of');
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('exits 2 with each problem of a bad config and its key path, in check-config and at start', async () => {
    const bad = file('bad.yaml', 'upstream:\n  timeoutMs: -5\nrules:\n  post-200-without-location: { severity: loud }\n  made-up-rule: {}\n');
    for (const args of [['check-config', bad], ['--config', bad, '--target', 'http://127.0.0.1:9']]) {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('restaudit: upstream.timeoutMs: expected a number above 0');
      expect(result.stderr).toContain('restaudit: rules.post-200-without-location.severity: expected one of error, warning, info');
      expect(result.stderr).toContain('restaudit: rules.made-up-rule: unknown rule id');
    }
    const viaEnv = await runCli(['--target', 'http://127.0.0.1:9'], { RESTAUDIT_CONFIG: bad });
    expect(viaEnv.code).toBe(2);
    const good = await runCli(['check-config', 'config/restaudit.example.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('ok');
    const missing = await runCli(['check-config', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
  });

  it('exits 2 when it cannot listen', async () => {
    const holder = await startScriptedBackend();
    try {
      const result = await runCli(['--target', holder.url, '--listen', `127.0.0.1:${holder.port}`, '--admin-listen', '127.0.0.1:0']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`listen: cannot listen on 127.0.0.1:${holder.port}: EADDRINUSE`);
    } finally {
      await holder.close();
    }
  });
});

describe('restaudit serving (built dist/cli.js)', () => {
  let backend: Started & { script: Script };
  beforeAll(async () => {
    backend = await startScriptedBackend(() => json(201, { id: 1 }));
  });
  afterAll(async () => {
    await backend.close();
  });

  it('proxies, reports a violation in the log, /violations and /metrics, and stops cleanly on SIGTERM', async () => {
    const serving = await serveCli(['--target', backend.url]);
    try {
      expect(serving.lines[0]).toMatchObject({ level: 30, target: backend.url, demo: false });
      expect(String(serving.lines[0]?.msg)).toContain(`proxying to ${backend.url}`);
      const answer = await request(`${serving.proxyUrl}/orders`, { method: 'POST', body: '{"item":1}', headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(201);
      const line = await eventually(() => serving.lines.find((entry) => entry.msg === 'violation'));
      expect(line).toMatchObject({ rule: 'created-without-location', severity: 'error', level: 50, method: 'POST', path: '/orders', route: '/orders', status: 201 });
      for (const key of ['requestId', 'durationMs', 'message', 'evidence']) expect(line).toHaveProperty(key);
      const listed = (await (await fetch(`${serving.adminUrl}/violations?limit=1`)).json()) as { violations: Array<Record<string, unknown>> };
      expect(listed.violations[0]).toMatchObject({ rule: 'created-without-location', requestId: line.requestId });
      const metrics = await (await fetch(`${serving.adminUrl}/metrics`)).text();
      expect(metrics).toContain('restaudit_violations_total{rule="created-without-location",severity="error",method="POST",route="/orders"} 1');
      expect(metrics).toMatch(/restaudit_build_info\{version="\d+\.\d+\.\d+",node_version="v\d+/);
      expect(metrics).toContain('restaudit_process_cpu_seconds_total');
      expect((await fetch(`${serving.adminUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${serving.adminUrl}/readyz`)).status).toBe(200);
    } finally {
      const code = await serving.stop('SIGTERM');
      expect(code).toBe(0);
      expect(serving.lines.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    }
  });

  it('lets an in-flight exchange finish on SIGTERM', async () => {
    const slow = await startBackend((_req, res) => setTimeout(() => res.end('{"late":true}'), 300));
    const serving = await serveCli(['--target', slow.url]);
    try {
      const answer = request(`${serving.proxyUrl}/slow`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const code = serving.stop('SIGTERM');
      expect((await answer).status).toBe(200);
      expect((await answer).body.toString()).toBe('{"late":true}');
      expect(await code).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('starts the embedded demo backend when no target is given', async () => {
    const serving = await serveCli([]);
    try {
      expect(serving.lines[0]).toMatchObject({ demo: true });
      expect(String(serving.lines[0]?.msg)).toContain('embedded demo backend');
      await eventually(() => (serving.stderr().includes('curl') ? true : undefined));
    } finally {
      expect(await serving.stop('SIGINT')).toBe(0);
    }
  });
});
