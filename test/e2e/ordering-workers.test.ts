import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEQUENCE_SCENARIOS } from '../fixtures/rule-scenarios.js';
import { findingsOfLastSteps, hostOf, mismatches, sendScenarios, startSequenceBackend, stepId, type Pacing } from '../helpers/sequences.js';
import { eventually, type Started } from '../helpers/servers.js';
import { serveCli, type Serving } from './cli-process.js';

/**
 * The order of the contract across processes: behind `--workers 2` a lesson taught on one
 * worker travels over IPC to the other. Sent with no pause on two connections (one per
 * worker, taking turns), every cross-exchange scenario gives the findings it gives with one.
 */
describe('restaudit --workers 2: judged in the order things happened (built dist/cli.js)', () => {
  let backend: Started & Awaited<ReturnType<typeof startSequenceBackend>>;
  let serving: Serving;

  beforeAll(async () => {
    backend = await startSequenceBackend();
    serving = await serveCli(['--target', backend.url, '--workers', '2']);
  });
  afterAll(async () => {
    if (serving.child.exitCode === null) await serving.stop('SIGKILL');
    await backend.close();
  });

  /** Sends every scenario, then waits until each finding that must come has come, and a little longer. */
  async function run(pacing: Pacing): Promise<string[][]> {
    await sendScenarios(serving.proxyUrl, backend, SEQUENCE_SCENARIOS, pacing);
    const expected = SEQUENCE_SCENARIOS.flatMap((scenario, index) => (scenario.fires ? [stepId(hostOf(pacing, index), scenario.steps.length - 1)] : []));
    await eventually(() => (expected.every((id) => serving.lines.some((line) => line.requestId === id)) ? true : undefined), 5000).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return findingsOfLastSteps(serving.lines, SEQUENCE_SCENARIOS, pacing);
  }

  let paused: string[][] = [];

  it('with a pause, each scenario fires where it should and nowhere else', async () => {
    paused = await run('paused');
    expect(mismatches(paused, SEQUENCE_SCENARIOS)).toEqual([]);
  });

  it.each(['several-connections', 'one-connection'] as const)('with no pause, %s: the same findings as with one', async (pacing) => {
    const found = await run(pacing);
    expect(mismatches(found, SEQUENCE_SCENARIOS)).toEqual([]);
    expect(found).toEqual(paused);
    if (pacing === 'several-connections') {
      // Both workers judged: the lessons did cross between processes.
      const pids = serving.lines.filter((line) => line.msg === 'violation' && String(line.host).endsWith('.several-connections.test')).map((line) => line.pid);
      expect(new Set(pids).size).toBe(2);
    }
  });
});
