import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/servers.js';
import { serveCli, type Serving } from './cli-process.js';
import { SPEC_RULE_IDS } from '../../src/rules/ids.js';

/**
 * A real FastAPI app (Debian's python3-fastapi and python3-uvicorn) describes itself at
 * /openapi.json; restaudit audits traffic to it against that document, which nobody here
 * wrote: FastAPI generated it from the app's code.
 */
const PYTHON = '/usr/bin/python3';
const APP = fileURLToPath(new URL('../fixtures/fastapi/app.py', import.meta.url));
/** The spec rules, and the rule a spec sharpens. */
const SPEC_RULES = new Set<string>([...SPEC_RULE_IDS, 'server-error-on-bad-input']);

interface Case {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  /** Sent as is, without a Content-Type. */
  readonly rawBody?: string;
  /** The spec rules (and server-error-on-bad-input) this exchange must raise, no more. */
  readonly expect: readonly string[];
}

const json = { 'content-type': 'application/json' };

const CASES: Record<string, Case> = {
  'item-found': { method: 'GET', path: '/items/1', expect: [] },
  // FastAPI answers HEAD 405: no operation (head-not-supported's concern), and no shadow.
  'item-head-refused': { method: 'HEAD', path: '/items/1', expect: [] },
  'item-missing-404-undocumented': { method: 'GET', path: '/items/999', expect: ['undocumented-status'] },
  'user-found': { method: 'GET', path: '/users/1', expect: [] },
  'user-missing-404-documented': { method: 'GET', path: '/users/2', expect: [] },
  'create-valid': { method: 'POST', path: '/items/', body: { name: 'saw', price: 12, tags: ['tools'] }, expect: [] },
  'create-invalid-refused-422': { method: 'POST', path: '/items/', body: { name: '', price: -1 }, expect: [] },
  'import-valid': { method: 'POST', path: '/imports/', body: { name: 'saw', price: 12 }, expect: [] },
  'import-bad-tags-accepted': { method: 'POST', path: '/imports/', body: { name: 'saw', price: 12, tags: 'tools' }, expect: ['request-schema-violation-accepted'] },
  'import-no-name-accepted': { method: 'POST', path: '/imports/', body: { price: 12 }, expect: ['request-schema-violation-accepted'] },
  'import-string-price-500': { method: 'POST', path: '/imports/', body: { name: 'saw', price: '12' }, expect: ['server-error-on-bad-input', 'undocumented-status'] },
  'import-no-content-type': { method: 'POST', path: '/imports/', rawBody: '{"price": 3}', expect: [] },
  'legacy-price-as-string': { method: 'GET', path: '/legacy/items/1', expect: ['response-schema-mismatch'] },
  'health-as-text': { method: 'GET', path: '/health', expect: ['undocumented-content-type'] },
  'version-as-documented-text': { method: 'GET', path: '/version', expect: [] },
  'quota-with-header': { method: 'GET', path: '/quota', expect: [] },
  'search-without-header': { method: 'GET', path: '/search?q=saw', expect: ['missing-documented-header'] },
  'shadow-endpoint': { method: 'GET', path: '/internal/debug', expect: ['undocumented-operation'] },
  'nowhere-404': { method: 'GET', path: '/nowhere', expect: [] },
  'undocumented-method-405': { method: 'DELETE', path: '/items/1', expect: [] },
};

let appUrl = '';
let specFile = '';
let stopApp: () => void = () => {};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-fastapi-'));
  const portFile = join(dir, 'port');
  const app = spawn(PYTHON, [APP, portFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  app.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  stopApp = () => app.kill('SIGTERM');
  for (let i = 0; i < 200 && !existsSync(portFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!existsSync(portFile)) throw new Error(`the FastAPI app did not start (apt-get install python3-fastapi python3-uvicorn): ${stderr}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  appUrl = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
  // The document as the app serves it, fetched from the running app.
  let spec = await request(`${appUrl}/openapi.json`).catch(() => undefined);
  for (let i = 0; i < 100 && spec?.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    spec = await request(`${appUrl}/openapi.json`).catch(() => undefined);
  }
  specFile = join(dir, 'openapi.json');
  writeFileSync(specFile, spec?.body ?? '');
}, 30_000);

afterAll(() => stopApp());

async function send(proxyUrl: string, id: string, c: Case): Promise<number> {
  const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  const headers = { 'x-request-id': id, ...(c.body === undefined ? {} : json) };
  return (await request(`${proxyUrl}${c.path}`, { method: c.method, headers, body })).status;
}

async function findingsById(serving: Serving): Promise<Map<string, string[]>> {
  // Rules run once the response has gone: give the last exchange a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const byId = new Map<string, string[]>();
  for (const line of serving.lines) {
    if (line.msg !== 'violation' || !SPEC_RULES.has(line.rule as string)) continue;
    const id = line.requestId as string;
    byId.set(id, [...(byId.get(id) ?? []), line.rule as string].sort());
  }
  return byId;
}

describe('restaudit --spec against a FastAPI app and the document it serves', () => {
  let serving: Serving;
  beforeAll(async () => {
    serving = await serveCli(['--target', appUrl, '--spec', specFile]);
    for (const [id, c] of Object.entries(CASES)) await send(serving.proxyUrl, id, c);
  }, 30_000);
  afterAll(() => serving.stop());

  it.for(Object.entries(CASES))('%s', async ([id, c]) => {
    const found = await findingsById(serving);
    expect(found.get(id) ?? []).toEqual([...c.expect].sort());
  });

  it('names the JSON pointer and the failed keyword, never the value', () => {
    const violations = serving.lines.filter((line) => line.msg === 'violation');
    const mismatch = violations.find((line) => line.requestId === 'legacy-price-as-string' && line.rule === 'response-schema-mismatch');
    expect(mismatch?.evidence).toMatchObject({ pointer: '/price', keyword: 'type', operation: 'GET /legacy/items/{item_id}', response: '200' });
    expect(JSON.stringify(mismatch)).not.toContain('9.50');
    const accepted = violations.find((line) => line.requestId === 'import-no-name-accepted');
    expect(accepted?.evidence).toMatchObject({ pointer: '', keyword: 'required', operation: 'POST /imports/' });
    const serverError = violations.find((line) => line.requestId === 'import-string-price-500' && line.rule === 'server-error-on-bad-input');
    expect(serverError?.evidence).toMatchObject({ cause: 'request-schema-violation', pointer: '/price', keyword: 'type' });
  });

  it('labels metrics with the spec path templates and counts the operations exercised', async () => {
    const metrics = (await request(`${serving.adminUrl}/metrics`)).body.toString();
    expect(metrics).toContain('route="/items/{item_id}"');
    expect(metrics).toContain('route="/legacy/items/{item_id}"');
    const seen = /restaudit_spec_operations\{state="seen"\} (\d+)/.exec(metrics)?.[1];
    const unseen = /restaudit_spec_operations\{state="unseen"\} (\d+)/.exec(metrics)?.[1];
    // 9 documented operations, all exercised.
    expect([Number(seen), Number(unseen)]).toEqual([9, 0]);
    const coverage = JSON.parse((await request(`${serving.adminUrl}/spec-coverage`)).body.toString()) as {
      operations: { documented: number; seen: number };
      undocumented: { operation: string; statuses: Record<string, number> }[];
      seen: { operation: string; statuses: Record<string, number> }[];
    };
    expect(coverage.operations).toMatchObject({ documented: 9, seen: 9 });
    expect(coverage.undocumented).toEqual([{ operation: 'GET /internal/debug', exchanges: 1, statuses: { 200: 1 } }]);
    expect(coverage.seen.find((each) => each.operation === 'GET /items/{item_id}')?.statuses).toEqual({ 200: 1, 404: 1 });
  });
});

describe('restaudit --spec --workers 2', () => {
  it('answers /spec-coverage with what the workers saw added up: the report one process gives for the same traffic', async () => {
    const coverageOf = async (args: string[]): Promise<{ report: unknown; pids: Set<unknown> }> => {
      const serving = await serveCli(['--target', appUrl, '--spec', specFile, ...args]);
      try {
        for (const [id, c] of Object.entries(CASES)) await send(serving.proxyUrl, id, c);
        await findingsById(serving);
        const answer = await request(`${serving.adminUrl}/spec-coverage`);
        expect(answer.status).toBe(200);
        return { report: JSON.parse(answer.body.toString()) as unknown, pids: new Set(serving.lines.filter((line) => line.msg === 'violation').map((line) => line.pid)) };
      } finally {
        await serving.stop();
      }
    };
    const one = await coverageOf([]);
    const two = await coverageOf(['--workers', '2']);
    // Both workers served part of the traffic, so the report is a merge, not one worker's.
    expect(two.pids.size).toBe(2);
    expect(two.report).toEqual(one.report);
  }, 30_000);
});

describe('restaudit --spec with traffic the document describes', () => {
  it('finds nothing against the spec', async () => {
    const serving = await serveCli(['--target', appUrl, '--spec', specFile]);
    try {
      const conforming = Object.entries(CASES).filter(([, c]) => c.expect.length === 0);
      for (const [id, c] of conforming) expect(await send(serving.proxyUrl, id, c), id).toBeLessThan(500);
      expect([...(await findingsById(serving))]).toEqual([]);
      const coverage = JSON.parse((await request(`${serving.adminUrl}/spec-coverage`)).body.toString()) as { unseen: { operation: string }[]; undocumented: unknown[] };
      expect(coverage.unseen.map((each) => each.operation).sort()).toEqual(['GET /legacy/items/{item_id}', 'GET /health', 'GET /search'].sort());
      expect(coverage.undocumented).toEqual([]);
    } finally {
      await serving.stop();
    }
  }, 30_000);
});
