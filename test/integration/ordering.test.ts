import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEQUENCE_SCENARIOS } from '../fixtures/rule-scenarios.js';
import { startAudit, type RunningAudit } from '../helpers/audit.js';
import { findingsOfLastSteps, mismatches, sendScenarios, startSequenceBackend, type Pacing } from '../helpers/sequences.js';
import type { Started } from '../helpers/servers.js';

/**
 * The contract's order: memory learns from an exchange before it judges any exchange whose
 * request arrived after that exchange's response was complete. Every cross-exchange
 * scenario, sent with a pause, then with none on one connection, then with none on several:
 * the same findings each time.
 */
describe('judged in the order things happened', () => {
  let backend: Started & Awaited<ReturnType<typeof startSequenceBackend>>;
  let audit: RunningAudit;
  let sent = 0;

  beforeAll(async () => {
    backend = await startSequenceBackend();
    audit = await startAudit(backend.url);
  });
  afterAll(async () => {
    await audit.close();
    await backend.close();
  });

  async function run(pacing: Pacing): Promise<string[][]> {
    await sendScenarios(audit.url, backend, SEQUENCE_SCENARIOS, pacing);
    sent += SEQUENCE_SCENARIOS.reduce((n, scenario) => n + scenario.steps.length, 0) + (pacing === 'paused' ? 0 : pacing === 'one-connection' ? 1 : 2);
    await audit.settled(sent);
    return findingsOfLastSteps(audit.violationLines(), SEQUENCE_SCENARIOS, pacing);
  }

  let paused: string[][] = [];

  it('with a pause between exchanges, each scenario fires where it should and nowhere else', async () => {
    paused = await run('paused');
    expect(mismatches(paused, SEQUENCE_SCENARIOS)).toEqual([]);
  });

  it.each(['one-connection', 'several-connections'] as const)('with no pause, %s: the same findings as with one', async (pacing) => {
    const found = await run(pacing);
    expect(mismatches(found, SEQUENCE_SCENARIOS)).toEqual([]);
    expect(found).toEqual(paused);
  });

  it('keeps hosts apart: a DELETE on one host guards nothing on another, and violations name the host', async () => {
    const lines = audit.violationLines().filter((line) => line.rule === 'deleted-resource-still-served');
    expect(new Set(lines.map((line) => line.host))).toEqual(new Set(['s9.paused.test', 's9.one-connection.test', 's9.several-connections.test']));
    const listed = await audit.violations(1000);
    expect(listed.find((v) => v.rule === 'deleted-resource-still-served')?.host).toMatch(/^s9\./);
  });
});
