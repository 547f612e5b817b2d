import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ALL_RULES } from '../../../src/rules/all-rules.js';
import { startAudit, type RunningAudit } from '../../helpers/audit.js';
import { json, startScriptedBackend, type Script } from '../../helpers/scripted-backend.js';
import type { Started } from '../../helpers/servers.js';

/** The rule pages, the runbooks and the live page, served by a real restaudit. */
describe('admin pages', () => {
  let backend: Started & { script: Script };
  let audit: RunningAudit;

  beforeAll(async () => {
    backend = await startScriptedBackend(() => json(200, { ok: true }));
    audit = await startAudit(backend.url, { custom: [{ id: 'orders-create-201', when: { method: 'POST', route: '/orders' }, expect: { status: [201] }, severity: 'error' }] });
  });
  afterAll(async () => {
    await audit?.close();
    await backend?.close();
  });

  const get = (path: string): Promise<Response> => fetch(`${audit.adminUrl}${path}`);

  it.each(ALL_RULES.map((rule) => [rule.id, rule] as const))('GET /rules/%s says what, why, a failing and a passing exchange, how to fix and how to silence', async (id, rule) => {
    const response = await get(`/rules/${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    for (const heading of ['What it checks', 'Why', 'A failing exchange', 'A passing exchange', 'How to fix', 'How to silence']) expect(page, heading).toContain(`<h3>${heading}</h3>`);
    expect(page).toContain(`  ${id}:\n    enabled: false`);
    expect(page).toContain(rule.summary.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;'));
    expect(page).toMatch(/<a href="https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+">RFC \d+<\/a>|CWE-/);
  });

  it('serves a page for a custom rule, an index of every rule, and 404 for an unknown id', async () => {
    expect(await (await get('/rules/orders-create-201')).text()).toContain('{"method":"POST","route":"/orders"}'.replaceAll('"', '&quot;'));
    const index = await (await get('/rules')).text();
    for (const rule of ALL_RULES) expect(index).toContain(`<a href="/rules/${rule.id}">`);
    expect((await get('/rules/no-such-rule')).status).toBe(404);
    expect((await get('/rules/%E0%A4%A')).status).toBe(404);
    expect((await get('/rules/created-without-location/extra')).status).toBe(404);
  });

  it('serves /runbooks/<AlertName> for every alert in dashboards/alerts.yaml, where its runbook_url points', async () => {
    const file = parseYaml(readFileSync(resolve('dashboards/alerts.yaml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; annotations: { runbook_url: string } }> }> };
    const alerts = file.groups.flatMap((group) => group.rules);
    expect(alerts.length).toBeGreaterThanOrEqual(4);
    for (const alert of alerts) {
      // Absolute, on the instance's admin port (dashboards/alerts.test.yaml checks the rendered URLs).
      expect(alert.annotations.runbook_url).toContain('http://{{');
      expect(alert.annotations.runbook_url).toMatch(new RegExp(`}}/runbooks/${alert.alert}({{ end }})?$`));
      const response = await get(`/runbooks/${alert.alert}`);
      expect(response.status, alert.alert).toBe(200);
      const page = await response.text();
      for (const heading of ['What it means', 'How to investigate', 'How to silence it']) expect(page).toContain(heading);
    }
    expect((await get('/runbooks/NoSuchAlert')).status).toBe(404);
  });

  it('serves the live page self-contained: no external script, style, font or image, and a CSP that allows only its own', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page.length).toBeLessThan(40_000);
    expect(page).not.toMatch(/<link|@import|url\(|src=|@font-face/i);
    expect(page).not.toMatch(/https?:\/\//);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("connect-src 'self'");
    // The script that CSP allows is the one in the page.
    const script = /<script>([\s\S]*)<\/script>/.exec(page)?.[1] ?? '';
    const { createHash } = await import('node:crypto');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(() => new vm.Script(script)).not.toThrow();
  });
});
