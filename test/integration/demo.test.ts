import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCurlLines, demoRoutes, startDemoBackend, type DemoBackend } from '../../src/demo/demo-backend.js';
import { startAudit, type RunningAudit } from '../helpers/audit.js';
import { request } from '../helpers/servers.js';

/**
 * The embedded demo behind the real proxy: every flawed endpoint's requests make its rule
 * fire; the well-formed endpoints raise nothing.
 */
describe('the embedded demo backend', () => {
  let demo: DemoBackend;
  let audit: RunningAudit;

  beforeAll(async () => {
    demo = await startDemoBackend();
    // error-not-problem-json is off by default; on here, so its demo endpoint is shown too.
    audit = await startAudit(demo.url, { rules: { 'error-not-problem-json': { enabled: true } } });
  });
  afterAll(async () => {
    await audit.close();
    await demo.close();
  });

  async function run(requests: NonNullable<ReturnType<typeof demoRoutes>[number]['try']>): Promise<string[]> {
    const ids: string[] = [];
    for (const req of requests) {
      const before = audit.exchanges.length;
      await request(audit.url + req.path, { method: req.method, headers: req.headers, body: req.body });
      await audit.settled(before + 1);
      ids.push(audit.exchanges[before]!.id);
    }
    return ids;
  }

  const routes = demoRoutes().filter((route) => route.try !== undefined);

  it.each(routes.filter((route) => route.rule !== undefined).map((route) => [`${route.method} ${route.path} → ${route.rule}`, route] as const))('%s', async (_title, route) => {
    const ids = await run(route.try!);
    const rules = audit.violationLines().filter((line) => ids.includes(line.requestId as string)).map((line) => line.rule);
    expect(rules).toContain(route.rule);
  });

  it.each(routes.filter((route) => route.rule === undefined).map((route) => [`${route.method} ${route.path}`, route] as const))('well-formed: %s raises nothing', async (_title, route) => {
    const ids = await run(route.try!);
    expect(audit.violationLines().filter((line) => ids.includes(line.requestId as string))).toEqual([]);
  });

  it('covers every built-in rule with a flawed endpoint (those that need a spec aside)', async () => {
    const { ALL_RULES } = await import('../../src/rules/all-rules.js');
    const shown = new Set(demoRoutes().map((route) => route.rule));
    expect(ALL_RULES.filter((rule) => rule.requiresSpec !== true).map((rule) => rule.id).filter((id) => !shown.has(id))).toEqual([]);
  });

  it('offers curl lines for the banner', () => {
    const lines = demoCurlLines('http://127.0.0.1:8080');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.every((line) => line.startsWith('curl '))).toBe(true);
    expect(lines.some((line) => line.includes('# created-without-location'))).toBe(true);
  });

  it('answers unknown paths and methods sensibly', async () => {
    expect((await request(`${demo.url}/nope`)).status).toBe(404);
    const put = await request(`${demo.url}/api/books`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toContain('GET');
  });
});
