import { describe, expect, it } from 'vitest';
import { BodyCopy } from '../../../src/capture/body-copy.js';
import type { Exchange } from '../../../src/capture/exchange.js';
import { resolveConfig } from '../../../src/config/load.js';
import { ExchangeMemory } from '../../../src/memory/exchange-memory.js';
import { Auditor } from '../../../src/rules/auditor.js';
import { RuleEngine } from '../../../src/rules/engine.js';
import type { Finding } from '../../../src/rules/types.js';

/** One exchange, as a source would capture it. */
function exchange(method: string, path: string, status: number, options: { route?: string; headers?: Record<string, string>; body?: string; host?: string } = {}): Exchange {
  return {
    id: `${method} ${path} ${status}`,
    startedAt: 0,
    durationMs: 1,
    method,
    path,
    query: '',
    route: options.route ?? path,
    host: options.host ?? 'api.test',
    requestHeaders: {},
    requestBody: BodyCopy.of(''),
    hasCredentials: false,
    status,
    responseHeaders: { 'content-type': 'application/json', ...options.headers },
    responseBody: BodyCopy.of(options.body ?? '{}'),
    bytesAfterBodilessResponse: 0,
  };
}

/** The findings of the real engine and auditor, configured from a config file's content. */
function auditorFor(config: Record<string, unknown>): (exchange: Exchange) => Finding[] {
  const resolved = resolveConfig(config);
  const memory = new ExchangeMemory({ ...resolved.memory, now: () => 0 });
  const auditor = new Auditor(new RuleEngine(resolved, memory), memory, 'api.test', 1 << 20);
  return (one) => auditor.audit(one);
}

const rules = (findings: readonly Finding[]): string[] => findings.map((finding) => finding.rule);

describe('configuration changes findings', () => {
  it('a custom rule fires where its matcher and expectation say, with its own severity and message', () => {
    const custom = [{ id: 'orders-create-201', when: { method: 'POST', route: '/orders' }, expect: { status: [201], headers: ['location'] }, severity: 'error', message: 'creating an order must answer 201 with Location' }];
    const plain = auditorFor({});
    const configured = auditorFor({ custom });
    const ok = exchange('POST', '/orders', 200, { body: '{"ok":true}' });
    expect(rules(plain(ok))).toEqual([]);
    const [finding] = configured(ok);
    expect(finding).toMatchObject({ rule: 'orders-create-201', severity: 'error' });
    expect(finding?.message).toContain('creating an order must answer 201 with Location');
    expect(finding?.evidence).toMatchObject({ status: 200, missingHeaders: ['location'] });
    // Its matcher: another route, another method, or the expectation met: nothing.
    expect(rules(configured(exchange('POST', '/invoices', 200, { body: '{"ok":true}' })))).toEqual([]);
    expect(rules(configured(exchange('GET', '/orders', 200)))).toEqual([]);
    expect(rules(configured(exchange('POST', '/orders', 201, { headers: { location: '/orders/1' } })))).toEqual([]);
  });

  it('ignoreRoutes silences a rule on the routes (or exact paths) listed, and only that rule there', () => {
    const created = exchange('POST', '/auth/session', 200, { body: '{"id":7}', route: '/auth/session' });
    expect(rules(auditorFor({})(created))).toEqual(['post-200-without-location']);
    const ignoring = auditorFor({ rules: { 'post-200-without-location': { ignoreRoutes: ['/auth/session'] } } });
    expect(rules(ignoring(created))).toEqual([]);
    expect(rules(ignoring(exchange('POST', '/orders', 200, { body: '{"id":7}' })))).toEqual(['post-200-without-location']);
    const byTemplate = auditorFor({ rules: { 'post-200-without-location': { ignoreRoutes: ['/users/:id/avatar'] } } });
    expect(rules(byTemplate(exchange('POST', '/users/4/avatar', 200, { body: '{"id":7}', route: '/users/:id/avatar' })))).toEqual([]);
  });

  it('a severity override changes the finding severity; enabled switches a rule on or off', () => {
    const unauthorized = exchange('GET', '/me', 401, { body: '{"error":"no"}' });
    expect(auditorFor({})(unauthorized)).toMatchObject([{ rule: 'unauthorized-without-www-authenticate', severity: 'warning' }]);
    expect(auditorFor({ rules: { 'unauthorized-without-www-authenticate': { severity: 'error' } } })(unauthorized)).toMatchObject([{ severity: 'error' }]);
    expect(auditorFor({ rules: { 'unauthorized-without-www-authenticate': { enabled: false } } })(unauthorized)).toEqual([]);
    expect(rules(auditorFor({ rules: { 'error-not-problem-json': { enabled: true } } })(unauthorized))).toEqual(['unauthorized-without-www-authenticate', 'error-not-problem-json']);
  });

  it('an expected success set replaces the method default for unexpected-success-status', () => {
    const accepted = exchange('DELETE', '/jobs/1', 201, { headers: { location: '/jobs/1/undo' } });
    expect(rules(auditorFor({})(accepted))).toEqual(['unexpected-success-status']);
    const configured = auditorFor({ rules: { 'unexpected-success-status': { expected: { DELETE: [200, 201, 204] } } } });
    expect(rules(configured(accepted))).toEqual([]);
    // Only the method named changes: GET keeps its default set.
    expect(rules(configured(exchange('GET', '/jobs/1', 202)))).toEqual(['unexpected-success-status']);
    // A narrower set makes a default status a finding.
    const narrow = auditorFor({ rules: { 'unexpected-success-status': { expected: { POST: [201] } } } });
    expect(rules(narrow(exchange('POST', '/jobs', 202)))).toEqual(['unexpected-success-status']);
  });

  it('a cross-exchange rule is configured like the others: severity, ignoreRoutes', () => {
    const sequence = (audit: (one: Exchange) => Finding[]): Finding[] => {
      audit(exchange('DELETE', '/users/7', 204, { route: '/users/:id' }));
      return audit(exchange('GET', '/users/7', 200, { route: '/users/:id', body: '{"id":7}' }));
    };
    expect(sequence(auditorFor({}))).toMatchObject([{ rule: 'deleted-resource-still-served', severity: 'error' }]);
    expect(sequence(auditorFor({ rules: { 'deleted-resource-still-served': { severity: 'info' } } }))).toMatchObject([{ severity: 'info' }]);
    expect(sequence(auditorFor({ rules: { 'deleted-resource-still-served': { ignoreRoutes: ['/users/:id'] } } }))).toEqual([]);
  });
});

describe('the engine', () => {
  it('a GET answered 201 is one finding, safe-method-created', () => {
    expect(rules(auditorFor({})(exchange('GET', '/counter', 201, { headers: { location: '/counter/1' } })))).toEqual(['safe-method-created']);
  });

  it('a 201 to a login-style action without Location advises answering 200', () => {
    const [finding] = auditorFor({})(exchange('POST', '/auth/login', 201, { body: '{"token":"x"}' }));
    expect(finding?.rule).toBe('created-without-location');
    expect(finding?.message).toContain('answer 200, or name what was created');
    const [plain] = auditorFor({})(exchange('POST', '/orders', 201, { body: '{"id":1}' }));
    expect(plain?.message).not.toContain('answer 200');
  });

  it('keeps hosts apart: a DELETE on one host guards nothing on another', () => {
    const audit = auditorFor({});
    audit(exchange('DELETE', '/users/7', 204, { host: 'a.test' }));
    expect(rules(audit(exchange('GET', '/users/7', 200, { host: 'b.test', body: '{"id":7}' })))).toEqual([]);
    expect(rules(audit(exchange('GET', '/users/7', 200, { host: 'a.test', body: '{"id":7}' })))).toEqual(['deleted-resource-still-served']);
  });

  it('a rule that throws is reported and skipped; the other rules still judge', () => {
    const resolved = resolveConfig({});
    const memory = new ExchangeMemory({ ...resolved.memory });
    const failures: string[] = [];
    const broken = { id: 'broken', severity: 'error' as const, enabledByDefault: true, summary: 'throws', reference: 'test', scope: 'exchange' as const, check: () => { throw new Error('boom'); } };
    const fine = { ...broken, id: 'fine', check: () => ({ message: 'seen', evidence: {} }) };
    const engine = new RuleEngine(resolved, memory, (rule) => failures.push(rule), [broken, fine]);
    const auditor = new Auditor(engine, memory, 'api.test', 1 << 20);
    expect(rules(auditor.audit(exchange('GET', '/x', 200)))).toEqual(['fine']);
    expect(failures).toEqual(['broken']);
  });
});
