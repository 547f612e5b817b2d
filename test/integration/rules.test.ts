import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULE_SCENARIOS } from '../fixtures/rule-scenarios.js';
import { sample, startAudit, type RunningAudit } from '../helpers/audit.js';
import { startScriptedBackend, type Script } from '../helpers/scripted-backend.js';
import { request, type Started } from '../helpers/servers.js';
import { inferTemplate } from '../../src/routes/route-resolver.js';
import { EXCHANGE_RULES } from '../../src/rules/catalog.js';

/**
 * Every single-exchange rule, through the real proxy against a real backend: each scenario
 * is one exchange; the rule's violation must appear in the log line, /violations and /metrics
 * exactly when the scenario says.
 */
describe('single-exchange rules through the proxy', () => {
  let backend: Started & { script: Script };
  let audit: RunningAudit;
  let sent = 0;

  beforeAll(async () => {
    backend = await startScriptedBackend();
    audit = await startAudit(backend.url);
  });
  afterAll(async () => {
    await audit.close();
    await backend.close();
  });

  it('has a firing scenario and a near miss for every enabled single-exchange rule', () => {
    for (const rule of EXCHANGE_RULES.filter((definition) => definition.enabledByDefault)) {
      expect(RULE_SCENARIOS.some((s) => s.rule === rule.id && s.fires), `${rule.id} fires`).toBe(true);
      expect(RULE_SCENARIOS.some((s) => s.rule === rule.id && !s.fires), `${rule.id} near miss`).toBe(true);
    }
  });

  it.each(RULE_SCENARIOS.map((scenario) => [`${scenario.rule}: ${scenario.name} → ${scenario.fires ? 'fires' : 'silent'}`, scenario] as const))('%s', async (_title, scenario) => {
    backend.script = () => scenario.answer;
    const labels = { rule: scenario.rule, method: scenario.request.method, route: inferTemplate(scenario.request.path) };
    const countBefore = sample(await audit.metrics(), 'restaudit_violations_total', labels) ?? 0;
    await request(audit.url + scenario.request.path, { method: scenario.request.method, headers: scenario.request.headers, body: scenario.request.body });
    sent++;
    await audit.settled(sent);
    const exchange = audit.exchanges[sent - 1];
    const lines = audit.violationLines().filter((line) => line.requestId === exchange?.id && line.rule === scenario.rule);
    const listed = (await audit.violations()).filter((entry) => entry.requestId === exchange?.id && entry.rule === scenario.rule);
    const countAfter = sample(await audit.metrics(), 'restaudit_violations_total', labels) ?? 0;
    if (!scenario.fires) {
      expect(lines).toEqual([]);
      expect(listed).toEqual([]);
      expect(countAfter).toBe(countBefore);
      return;
    }
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ msg: 'violation', method: scenario.request.method, path: scenario.request.path, status: scenario.answer.status });
    expect(line.level).toBe({ error: 50, warning: 40, info: 30 }[line.severity as string]);
    expect(typeof line.message).toBe('string');
    expect((line.evidence as { status: number }).status).toBe(scenario.answer.status);
    if (scenario.evidence !== undefined) expect(line.evidence).toMatchObject(scenario.evidence);
    expect(listed).toHaveLength(1);
    expect(countAfter).toBe(countBefore + 1);
  });
});
