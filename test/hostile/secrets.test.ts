import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../e2e/cli-process.js';
import { startBackend, type Started } from '../helpers/servers.js';
import { startCli, timedRequest, type HostileCli } from './hostile-cli.js';

/**
 * Planted secrets, each in a place that once reached the log or /violations. Every one
 * must appear 0 times in stdout, /violations, /events (where it exists), /metrics and the
 * output of `restaudit audit` for a HAR carrying the same exchanges.
 */
const P = (n: number): string => `PLANTED${String(n).padStart(2, '0')}xq7`;
const JWT = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.${P(5)}sig`;
const BASIC = Buffer.from(`admin:${P(15)}`).toString('base64');
const CARD = '4111111111111111';

function nested(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { l: value };
  return value;
}

interface Scenario {
  readonly method: string;
  /** The request-target as sent on the wire. */
  readonly target: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly responseHeaders: Record<string, string>;
  readonly body: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const SCENARIOS: Scenario[] = [
  // 1. A member nested deeper than 8 levels (error envelope on a 200).
  { method: 'GET', target: '/deep', status: 200, responseHeaders: JSON_TYPE, body: JSON.stringify({ error: 'x', d: nested(10, { password: P(1) }) }) },
  // 2. Python-style single-quoted keys (declared JSON, does not parse).
  { method: 'GET', target: '/py', status: 200, responseHeaders: JSON_TYPE, body: `{'password': '${P(2)}', 'client_secret': '${P(16)}'}` },
  // 3. A \u-escaped key name, in JSON that does not parse.
  { method: 'GET', target: '/escaped', status: 200, responseHeaders: JSON_TYPE, body: `{"\\u0074oken": "${P(3)}", "broken": ` },
  // 4. A Bearer token in a text body (a 5xx that reads as a validation error).
  { method: 'POST', target: '/bearer', status: 500, responseHeaders: { 'content-type': 'text/plain' }, body: `field is required; sent Authorization: Bearer ${P(4)}` },
  // 5. A JWT in a text body.
  { method: 'POST', target: '/jwt', status: 500, responseHeaders: { 'content-type': 'text/plain' }, body: `value is required, got ${JWT}` },
  // 6, 7. A Location with ?token= and &api_key=.
  { method: 'GET', target: '/moved', status: 202, responseHeaders: { location: `/next?token=${P(6)}&api_key=${P(7)}` }, body: '' },
  // 8. A ;jsessionid= path parameter (also a route label once).
  { method: 'GET', target: `/account;jsessionid=${P(8)}`, status: 401, responseHeaders: JSON_TYPE, body: '{}' },
  // 9. A #token= fragment.
  { method: 'GET', target: `/account#token=${P(9)}`, status: 401, responseHeaders: JSON_TYPE, body: '{}' },
  // 10, 11. A custom rule's evidence (headers it names): Set-Cookie and a Location with #access_token=.
  { method: 'POST', target: '/orders', status: 200, responseHeaders: { 'set-cookie': `session=${P(10)}; HttpOnly`, location: `https://app.example/cb#access_token=${P(11)}` }, body: '' },
  // 12, 13, 14 and the card number. Card, CVV and SSN members.
  { method: 'GET', target: '/pay', status: 200, responseHeaders: JSON_TYPE, body: JSON.stringify({ success: false, card: CARD, cvv: P(12), ssn: P(13), cardNumber: P(14) }) },
  // 15. Basic credentials in a text body.
  { method: 'POST', target: '/basic', status: 502, responseHeaders: { 'content-type': 'text/plain' }, body: `must be authorised: Basic ${BASIC}` },
];
const PLANTED = [...Array.from({ length: 16 }, (_, i) => P(i + 1)), BASIC, CARD, JWT.split('.')[1] as string];

const CONFIG = {
  custom: [{ id: 'orders-create-201', when: { method: 'POST', route: '/orders' }, expect: { status: [201], headers: ['location', 'set-cookie'] }, severity: 'error' }],
};

describe('no planted secret reaches any output', () => {
  let backend: Started;
  let cli: HostileCli;
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-secrets-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(CONFIG));

  beforeAll(async () => {
    backend = await startBackend((req, res) => {
      req.resume();
      req.on('end', () => {
        const path = (req.url ?? '/').split(/[;#?]/)[0];
        const scenario = SCENARIOS.find((s) => s.target.split(/[;#?]/)[0] === path && s.method === req.method) ?? SCENARIOS[0];
        res.writeHead(scenario!.status, scenario!.responseHeaders);
        res.end(scenario!.body);
      });
    });
    cli = await startCli(['--target', backend.url, '--config', configFile]);
  });
  afterAll(async () => {
    await cli.stop();
    await backend.close();
  });

  it('stdout, /violations, /events and /metrics carry none of them', async () => {
    const listening = listenToEvents(cli.adminUrl);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const agent = new http.Agent({ keepAlive: true });
    for (const s of SCENARIOS) {
      await timedRequest(`${cli.proxyUrl}${s.target}`, { method: s.method, path: s.target, agent, headers: { 'content-type': 'application/json', ...s.headers } });
    }
    agent.destroy();
    const violations = (await timedRequest(`${cli.adminUrl}/violations?limit=1000`)).body;
    const metrics = (await timedRequest(`${cli.adminUrl}/metrics`)).body;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = listening.stop();
    const stdout = cli.stdout();
    const rules = new Set((JSON.parse(violations) as { violations: Array<{ rule: string }> }).violations.map((v) => v.rule));
    // Each scenario was judged: the rules that quote what carried the secrets fired.
    for (const rule of ['error-payload-with-success-status', 'invalid-json-response', 'server-error-on-bad-input', 'unexpected-success-status', 'unauthorized-without-www-authenticate', 'orders-create-201']) {
      expect(rules, rule).toContain(rule);
    }
    for (const secret of PLANTED) {
      expect(count(stdout, secret), `${secret} in stdout`).toBe(0);
      expect(count(violations, secret), `${secret} in /violations`).toBe(0);
      expect(count(events, secret), `${secret} in /events`).toBe(0);
      expect(count(metrics, secret), `${secret} in /metrics`).toBe(0);
    }
    expect(metrics).not.toContain('jsessionid');
    expect(violations).toContain('"path":"/account"');
  });

  it('restaudit audit of a HAR carrying them prints none of them, in text or JSON', async () => {
    const har = {
      log: {
        version: '1.2',
        entries: SCENARIOS.map((s, i) => ({
          startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          time: 1,
          request: { method: s.method, url: `http://api.example${s.target}`, headers: [{ name: 'content-type', value: 'application/json' }] },
          response: { status: s.status, headers: Object.entries(s.responseHeaders).map(([name, value]) => ({ name, value })), content: { text: s.body } },
        })),
      },
    };
    const file = join(dir, 'traffic.har');
    writeFileSync(file, JSON.stringify(har));
    const text = await runCli(['audit', file, '--config', configFile, '--fail-on', 'none']);
    const json = await runCli(['audit', file, '--config', configFile, '--fail-on', 'none', '--json']);
    expect(text.code).toBe(0);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { findings: unknown[] }).findings.length).toBeGreaterThanOrEqual(8);
    for (const secret of PLANTED) {
      expect(count(text.stdout + text.stderr, secret), `${secret} in audit text`).toBe(0);
      expect(count(json.stdout + json.stderr, secret), `${secret} in audit JSON`).toBe(0);
    }
  });
});

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Listens to `/events` from now on; `stop()` gives what it sent ('' where the endpoint does not exist). */
function listenToEvents(adminUrl: string): { stop: () => string } {
  let text = '';
  const req = http.get(`${adminUrl}/events`, (res) => {
    if (res.statusCode === 404) {
      res.resume();
      return;
    }
    res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  });
  req.on('error', () => {});
  return {
    stop: () => {
      req.destroy();
      return text;
    },
  };
}
