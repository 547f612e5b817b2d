import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAudit, type RunningAudit } from '../helpers/audit.js';
import { json, startScriptedBackend, type Answer, type Script } from '../helpers/scripted-backend.js';
import { request, type Started } from '../helpers/servers.js';

const AUTH = { authorization: 'Bearer t0ken-value-123' };
const CROSS_RULES = ['not-found-masks-auth', 'protected-route-served-anonymously', 'created-resource-not-found', 'deleted-resource-still-served'];

let backend: Started & { script: Script };
let audit: RunningAudit;
let clock = 0;
let count = 0;

beforeAll(async () => {
  backend = await startScriptedBackend();
  audit = await startAudit(backend.url, {}, { now: () => clock });
});
afterAll(async () => {
  await audit.close();
  await backend.close();
});
beforeEach(() => {
  clock += 10_000_000; // far beyond any TTL: each test starts with nothing remembered that matters
});

/** Sends one exchange through restaudit with the backend answering `answer`; waits until it is judged. */
async function step(method: string, path: string, answer: Answer, headers: Record<string, string> = {}, body?: string): Promise<void> {
  backend.script = () => answer;
  await request(audit.url + path, { method, headers, body });
  count++;
  await audit.settled(count);
}

/** The cross-exchange findings logged for the last exchange. */
function lastFindings(): string[] {
  const last = audit.exchanges[audit.exchanges.length - 1];
  return audit.violationLines().filter((line) => line.requestId === last?.id && CROSS_RULES.includes(line.rule as string)).map((line) => line.rule as string);
}

function lastFinding(rule: string): Record<string, unknown> | undefined {
  const last = audit.exchanges[audit.exchanges.length - 1];
  return audit.violationLines().find((line) => line.requestId === last?.id && line.rule === rule);
}

describe('not-found-masks-auth', () => {
  it('fires on an anonymous 404 for a path that served an authenticated GET', async () => {
    await step('GET', '/docs/1', json(200, { id: 1 }), AUTH);
    clock += 5_000;
    await step('GET', '/docs/1', json(404, { title: 'Not Found' }));
    expect(lastFindings()).toEqual(['not-found-masks-auth']);
    const line = lastFinding('not-found-masks-auth');
    expect(line).toMatchObject({ severity: 'warning', level: 40, status: 404, path: '/docs/1' });
    expect(line?.message).toMatch(/policy/);
    expect((line?.evidence as { earlier: unknown }).earlier).toMatchObject({ method: 'GET', path: '/docs/1', status: 200, ageSeconds: 5 });
    expect(((line?.evidence as { earlier: { requestId: string } }).earlier.requestId)).toBe(audit.exchanges[audit.exchanges.length - 2]?.id);
  });

  it('stays silent after a 2xx DELETE in between, with credentials, on unseen paths, and after the TTL', async () => {
    await step('GET', '/docs/2', json(200, { id: 2 }), AUTH);
    await step('DELETE', '/docs/2', { status: 204 }, AUTH);
    await step('GET', '/docs/2', json(404, {}));
    expect(lastFindings()).toEqual([]);

    await step('GET', '/docs/3', json(200, { id: 3 }), AUTH);
    await step('GET', '/docs/3', json(404, {}), AUTH);
    expect(lastFindings()).toEqual([]);

    await step('GET', '/docs/never-seen-4', json(404, {}));
    expect(lastFindings()).toEqual([]);

    await step('GET', '/docs/5', json(200, { id: 5 }), { cookie: 'theme=dark; session=abc' });
    clock += 901_000;
    await step('GET', '/docs/5', json(404, {}));
    expect(lastFindings()).toEqual([]);
  });

  it('counts a configured session cookie as credentials', async () => {
    await step('GET', '/docs/6', json(200, { id: 6 }), { cookie: 'session=abc' });
    await step('GET', '/docs/6', json(404, {}), { cookie: 'theme=dark' });
    expect(lastFindings()).toEqual(['not-found-masks-auth']);
  });
});

describe('protected-route-served-anonymously', () => {
  it('fires when a route that refused anonymous callers serves one', async () => {
    await step('GET', '/admin/reports/1', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    await step('GET', '/admin/reports/2', json(200, { id: 2 }));
    expect(lastFindings()).toEqual(['protected-route-served-anonymously']);
    expect(lastFinding('protected-route-served-anonymously')).toMatchObject({ severity: 'error', level: 50, route: '/admin/reports/:id' });
  });

  it('treats HEAD and GET as one method', async () => {
    await step('GET', '/admin/keys/1', { status: 403, headers: { 'content-type': 'application/problem+json' }, body: '{"status":403}' });
    await step('HEAD', '/admin/keys/1', { status: 200 });
    expect(lastFindings()).toEqual(['protected-route-served-anonymously']);
  });

  it('learns nothing from a 401 to a request with credentials, nor judges authenticated 2xx or other methods', async () => {
    await step('GET', '/admin/users/1', { status: 401, headers: { 'www-authenticate': 'Bearer' } }, AUTH);
    await step('GET', '/admin/users/2', json(200, {}));
    expect(lastFindings()).toEqual([]);

    await step('GET', '/admin/audit/1', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    await step('GET', '/admin/audit/2', json(200, {}), AUTH);
    expect(lastFindings()).toEqual([]);
    await step('POST', '/admin/audit/3', json(200, {}));
    expect(lastFindings()).toEqual([]);
  });
});

describe('created-resource-not-found', () => {
  it('fires when the Location of a 201 answers 404', async () => {
    await step('POST', '/items', json(201, { id: 5 }, { location: '/items/5' }), {}, '{"name":"x"}');
    await step('GET', '/items/5', json(404, {}));
    expect(lastFindings()).toEqual(['created-resource-not-found']);
    expect((lastFinding('created-resource-not-found')?.evidence as { earlier: unknown }).earlier).toMatchObject({ method: 'POST', path: '/items', status: 201 });
  });

  it('resolves relative and same-origin absolute Locations, compared by path', async () => {
    await step('POST', '/lists/', json(201, {}, { location: '6?view=full' }), {}, '{}');
    await step('GET', '/lists/6', json(404, {}));
    expect(lastFindings()).toEqual(['created-resource-not-found']);
    await step('POST', '/lists', json(201, {}, { location: `${audit.url}/lists/7` }), { host: new URL(audit.url).host }, '{}');
    await step('GET', '/lists/7', json(404, {}));
    expect(lastFindings()).toEqual(['created-resource-not-found']);
  });

  it('ignores other origins and a DELETE in between', async () => {
    await step('POST', '/files', json(201, {}, { location: 'https://cdn.elsewhere.test/files/8' }), {}, '{}');
    await step('GET', '/files/8', json(404, {}));
    expect(lastFindings()).toEqual([]);
    await step('POST', '/files', json(201, {}, { location: '/files/9' }), {}, '{}');
    await step('DELETE', '/files/9', { status: 204 });
    await step('GET', '/files/9', json(404, {}));
    expect(lastFindings()).toEqual([]);
  });
});

describe('deleted-resource-still-served', () => {
  it('fires when a path deleted with 204 is served again', async () => {
    await step('DELETE', '/books/7', { status: 204 });
    await step('GET', '/books/7', json(200, { id: 7 }));
    expect(lastFindings()).toEqual(['deleted-resource-still-served']);
    expect((lastFinding('deleted-resource-still-served')?.evidence as { earlier: unknown }).earlier).toMatchObject({ method: 'DELETE', status: 204 });
  });

  it('stays silent after a 202 delete, and after re-creation by PUT or by a 201 naming the path', async () => {
    await step('DELETE', '/books/8', json(202, { queued: true }));
    await step('GET', '/books/8', json(200, { id: 8 }));
    expect(lastFindings()).toEqual([]);

    await step('DELETE', '/books/9', json(200, { deleted: true }));
    await step('PUT', '/books/9', json(201, { id: 9 }), {}, '{"id":9}');
    await step('GET', '/books/9', json(200, { id: 9 }));
    expect(lastFindings()).toEqual([]);

    await step('DELETE', '/books/10', { status: 204 });
    await step('POST', '/books', json(201, { id: 10 }, { location: '/books/10' }), {}, '{}');
    await step('GET', '/books/10', json(200, { id: 10 }));
    expect(lastFindings()).toEqual([]);
  });

  it('forgets after memory.ttlSeconds', async () => {
    await step('DELETE', '/books/11', { status: 204 });
    clock += 901_000;
    await step('GET', '/books/11', json(200, { id: 11 }));
    expect(lastFindings()).toEqual([]);
  });
});

describe('cross-exchange findings reach metrics and /violations', () => {
  it('counts them by rule and lists them newest first', async () => {
    await step('DELETE', '/books/12', { status: 204 });
    await step('GET', '/books/12', json(200, { id: 12 }));
    const listed = await audit.violations(5);
    expect(listed[0]).toMatchObject({ rule: 'deleted-resource-still-served', path: '/books/12', severity: 'error' });
    expect(typeof listed[0]?.time).toBe('number');
    expect(await audit.metrics()).toMatch(/restaudit_violations_total\{rule="deleted-resource-still-served",severity="error",method="GET",route="\/books\/:id"\} [1-9]/);
  });
});

describe('server-error-on-bad-input, learned from traffic', () => {
  function badInputFindings(): Array<Record<string, unknown>> {
    const last = audit.exchanges[audit.exchanges.length - 1];
    return audit.violationLines().filter((line) => line.requestId === last?.id && line.rule === 'server-error-on-bad-input');
  }
  const TEXT_500: Answer = { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
  const JSON_TYPE = { 'content-type': 'application/json' };

  it('fires on a 5xx to a body type the route never accepted, naming what it learned', async () => {
    await step('POST', '/tags', json(201, { id: 1 }, { location: '/tags/1' }), JSON_TYPE, '{"tag":"a"}');
    await step('POST', '/tags', json(201, { id: 2 }, { location: '/tags/2' }), JSON_TYPE, '{"tag":"b"}');
    await step('POST', '/tags', TEXT_500, JSON_TYPE, '["a","b"]');
    const [finding] = badInputFindings();
    expect(finding?.message).toMatch(/JSON array.*only ever accepted a JSON object/);
    expect(finding?.evidence).toMatchObject({ requestBodyType: 'array', learnedTypes: { object: 2 } });
  });

  it('stays silent for an accepted type, before anything was learned, and learns nothing from 4xx', async () => {
    await step('PUT', '/labels/1', json(200, { id: 1 }), JSON_TYPE, '{"name":"x"}');
    await step('PUT', '/labels/2', TEXT_500, JSON_TYPE, '{"name":"y"}');
    expect(badInputFindings()).toEqual([]);

    await step('POST', '/unseen', TEXT_500, JSON_TYPE, '[1]');
    expect(badInputFindings()).toEqual([]);

    await step('POST', '/rejects', json(422, { title: 'no' }), JSON_TYPE, '"a string"');
    await step('POST', '/rejects', TEXT_500, JSON_TYPE, '[1]');
    expect(badInputFindings()).toEqual([]);
  });
});
