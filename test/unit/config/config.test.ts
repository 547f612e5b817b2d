import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile, resolveConfig, splitHostPort } from '../../../src/config/load.js';
import { RestauditError } from '../../../src/errors.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof RestauditError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('gives the contract defaults for an empty file', () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      listen: '0.0.0.0:8080',
      admin: '127.0.0.1:9464',
      upstream: { timeoutMs: 30000, insecureTls: false, changeOrigin: false },
      inspect: { maxBodyBytes: 65536 },
      routes: [],
      credentials: { headers: ['authorization', 'x-api-key', 'proxy-authorization'] },
      memory: { maxEntries: 100000, ttlSeconds: 900 },
      metrics: { maxRoutes: 500 },
      rules: {},
      custom: [],
      workers: 1,
    });
    expect(config.target).toBeUndefined();
    expect(config.credentials.cookies).toContain('JSESSIONID');
    expect(Object.isFrozen(config.upstream)).toBe(true);
  });

  it('reports every problem with its key path, together', () => {
    const problems = problemsOf(() =>
      resolveConfig({
        listen: 'nowhere',
        upstream: { timeoutMs: 'soon', retries: 3 },
        rules: { 'post-200-without-location': { severity: 'fatal' }, 'no-such-rule': {} },
        custom: [{ id: 'x', when: {}, expect: {} }],
        extra: true,
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'listen: expected HOST:PORT, e.g. 0.0.0.0:8080',
        'upstream.timeoutMs: expected number, got string "soon"',
        'upstream.retries: unknown key',
        'rules.post-200-without-location.severity: expected one of error, warning, info',
        'rules.no-such-rule: unknown rule id (see `restaudit rules`)',
        'custom[0].expect: expected status or headers (or both)',
        'extra: unknown key',
      ]),
    );
  });

  it('lets flags and env vars override the file, and names them in errors', () => {
    const config = resolveConfig({ listen: '127.0.0.1:1', target: 'http://a:1' }, [{ key: 'listen', value: '127.0.0.1:2', source: '--listen' }]);
    expect(config.listen).toBe('127.0.0.1:2');
    expect(config.target).toBe('http://a:1');
    expect(problemsOf(() => resolveConfig({}, [{ key: 'target', value: 'ftp://x', source: 'RESTAUDIT_TARGET' }]))).toEqual([
      'target: expected an http:// or https:// URL without query or fragment, e.g. http://backend:8080 (from RESTAUDIT_TARGET)',
    ]);
  });

  it('takes workers as a number, digits from a flag, or auto', () => {
    expect(resolveConfig({ workers: 3 }).workers).toBe(3);
    expect(resolveConfig({}, [{ key: 'workers', value: '2', source: '--workers' }]).workers).toBe(2);
    expect(resolveConfig({ workers: 'auto' }).workers).toBeGreaterThanOrEqual(1);
    for (const bad of [0, 1.5, 65, 'many', true]) {
      expect(problemsOf(() => resolveConfig({ workers: bad }))).toEqual(['workers: expected a whole number from 1 to 64, or auto']);
    }
    expect(problemsOf(() => resolveConfig({}, [{ key: 'workers', value: '-1', source: 'RESTAUDIT_WORKERS' }]))).toEqual([
      'workers: expected a whole number from 1 to 64, or auto (from RESTAUDIT_WORKERS)',
    ]);
  });

  it('reads YAML and JSON files, and names the file when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-config-'));
    writeFileSync(join(dir, 'a.yaml'), 'target: http://b:2\nrules:\n  error-not-problem-json: { enabled: true }\n');
    writeFileSync(join(dir, 'a.json'), '{"metrics": {"maxRoutes": 3}}');
    writeFileSync(join(dir, 'bad.yaml'), 'rules: [unclosed\n');
    expect(resolveConfig(readConfigFile(join(dir, 'a.yaml'))).rules['error-not-problem-json']?.enabled).toBe(true);
    expect(resolveConfig(readConfigFile(join(dir, 'a.json'))).metrics.maxRoutes).toBe(3);
    expect(problemsOf(() => readConfigFile(join(dir, 'bad.yaml')))[0]).toMatch(/bad\.yaml:2:1: /);
    expect(problemsOf(() => readConfigFile(join(dir, 'missing.yaml')))).toEqual([`${join(dir, 'missing.yaml')}: no such file or directory`]);
  });

  it('names file:line:column of a syntax error; a .json file is strict JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-config-'));
    writeFileSync(join(dir, 'tab.yaml'), 'target: http://b:2\nrules:\n\t- x\n');
    expect(problemsOf(() => readConfigFile(join(dir, 'tab.yaml')))[0]).toMatch(/tab\.yaml:3:1: /);
    // Valid YAML, but not JSON: a trailing comma and a comment.
    writeFileSync(join(dir, 'loose.json'), '{\n  "listen": "0.0.0.0:1",\n}\n');
    const loose = problemsOf(() => readConfigFile(join(dir, 'loose.json')));
    expect(loose).toHaveLength(1);
    expect(loose[0]).toMatch(/^\/.*loose\.json:3:1: not valid JSON: \S/);
    writeFileSync(join(dir, 'comment.json'), '{"listen": "0.0.0.0:1"} # no\n');
    expect(problemsOf(() => readConfigFile(join(dir, 'comment.json')))[0]).toMatch(/comment\.json:1:25: not valid JSON/);
  });

  it('lists problems in the order of the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-config-'));
    writeFileSync(join(dir, 'many.yaml'), 'zzz: 1\nrules:\n  nope: {}\n  created-without-location: { severity: bad }\nlisten: 7\naaa: 1\n');
    expect(problemsOf(() => resolveConfig(readConfigFile(join(dir, 'many.yaml'))))).toEqual([
      'zzz: unknown key',
      'rules.nope: unknown rule id (see `restaudit rules`)',
      'rules.created-without-location.severity: expected one of error, warning, info',
      'listen: expected string, got number 7',
      'aaa: unknown key',
    ]);
  });

  it('accepts the shipped example config', () => {
    const config = resolveConfig(readConfigFile('config/restaudit.example.yaml'));
    expect(config.custom[0]?.id).toBe('orders-create-201');
    expect(config.rules['unexpected-success-status']?.expected?.DELETE).toEqual([200, 202, 204]);
  });

  it('splits HOST:PORT, IPv6 included', () => {
    expect(splitHostPort('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(splitHostPort('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
  });
});
