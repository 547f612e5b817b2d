import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/servers.js';
import { serveCli, type Serving } from './cli-process.js';
import { SPEC_RULE_IDS } from '../../src/rules/ids.js';

/**
 * LoopBack 4's todo example (npm) generates its OpenAPI document from its controllers and
 * serves it at /openapi.json. It is installed into test/fixtures/loopback on the first run
 * (npm ci, from that folder's lock file), started on port 0, and audited through restaudit
 * with the document fetched from it.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/loopback/', import.meta.url));
const APP = join(FIXTURE, 'node_modules/@loopback/example-todo');
/** The spec rules, and the rule a spec sharpens. */
const SPEC_RULES = new Set<string>([...SPEC_RULE_IDS, 'server-error-on-bad-input']);

interface Case {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly expect: readonly string[];
}

const CASES: Record<string, Case> = {
  'list': { method: 'GET', path: '/todos', expect: [] },
  'list-filtered': { method: 'GET', path: '/todos?filter=%7B%22limit%22%3A2%7D', expect: [] },
  'count': { method: 'GET', path: '/todos/count', expect: [] },
  'one': { method: 'GET', path: '/todos/1', expect: [] },
  'create': { method: 'POST', path: '/todos', body: { title: 'write tests', isComplete: false }, expect: [] },
  'patch': { method: 'PATCH', path: '/todos/2', body: { isComplete: true }, expect: [] },
  'replace': { method: 'PUT', path: '/todos/3', body: { title: 'play chess', desc: 'well' }, expect: [] },
  // LoopBack refuses an invalid body with 422 (nothing accepted), but its document lists only 200.
  'create-invalid-refused-422': { method: 'POST', path: '/todos', body: { title: 5 }, expect: ['undocumented-status'] },
  'create-unknown-member-refused-422': { method: 'POST', path: '/todos', body: { title: 'x', owner: 'me' }, expect: ['undocumented-status'] },
  // A missing todo answers 404, which the document does not list either.
  'missing-404': { method: 'GET', path: '/todos/99999', expect: ['undocumented-status'] },
  'nowhere-404': { method: 'GET', path: '/nowhere', expect: [] },
  // The API explorer LoopBack mounts beside the API, outside the document.
  'explorer': { method: 'GET', path: '/explorer/', expect: ['undocumented-operation'] },
};

let appUrl = '';
let specFile = '';
let stopApp: () => void = () => {};

beforeAll(async () => {
  if (!existsSync(join(APP, 'package.json'))) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: FIXTURE, stdio: 'ignore', timeout: 280_000 });
  }
  // The app keeps its todos in ./data/db.json: a copy of it, in a folder of the test's own.
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-loopback-'));
  mkdirSync(join(dir, 'data'));
  cpSync(join(APP, 'data/db.json'), join(dir, 'data/db.json'));
  const app = spawn(process.execPath, [join(APP, 'dist/index.js')], { cwd: dir, env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  stopApp = () => app.kill('SIGKILL');
  let output = '';
  appUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`LoopBack did not start: ${output}`)), 60_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = /Server is running at (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    app.stdout.on('data', read);
    app.stderr.on('data', read);
  });
  specFile = join(dir, 'openapi.json');
  writeFileSync(specFile, (await request(`${appUrl}/openapi.json`)).body);
}, 300_000);

afterAll(() => stopApp());

describe('restaudit --spec against LoopBack 4 and the document it serves', () => {
  let serving: Serving;
  beforeAll(async () => {
    serving = await serveCli(['--target', appUrl, '--spec', specFile]);
    for (const [id, c] of Object.entries(CASES)) {
      const headers = { 'x-request-id': id, ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) };
      await request(`${serving.proxyUrl}${c.path}`, { method: c.method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }, 30_000);
  afterAll(() => serving.stop());

  it.for(Object.entries(CASES))('%s', ([id, c]) => {
    const found = serving.lines.filter((line) => line.msg === 'violation' && line.requestId === id && SPEC_RULES.has(line.rule as string)).map((line) => line.rule);
    expect(found.sort()).toEqual([...c.expect].sort());
  });

  it('labels with the document templates and measures its coverage', async () => {
    const metrics = (await request(`${serving.adminUrl}/metrics`)).body.toString();
    expect(metrics).toContain('route="/todos/{id}"');
    expect(metrics).toContain('route="/todos/count"');
    const coverage = JSON.parse((await request(`${serving.adminUrl}/spec-coverage`)).body.toString()) as { operations: { documented: number }; unseen: { operation: string }[] };
    expect(coverage.operations.documented).toBe(8);
    expect(coverage.unseen.map((each) => each.operation).sort()).toEqual(['DELETE /todos/{id}', 'PATCH /todos']);
  });
});
