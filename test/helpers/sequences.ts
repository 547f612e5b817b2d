import http from 'node:http';
import type { SequenceScenario } from '../fixtures/rule-scenarios.js';
import { startBackend, request, type Started } from './servers.js';
import type { Answer } from './scripted-backend.js';

/** How the steps of a sequence reach restaudit. */
export type Pacing = 'paused' | 'one-connection' | 'several-connections';

/** The header that tells the sequence backend which step it answers. */
const STEP_HEADER = 'x-sequence-step';

/**
 * A real backend that answers each step of the sequence scenarios as scripted, whichever
 * connection (and, behind workers, whichever process) carries it.
 */
export async function startSequenceBackend(): Promise<Started & { expect: (id: string, answer: Answer) => void }> {
  const answers = new Map<string, Answer>();
  const started = await startBackend((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.headers[STEP_HEADER];
      const answer = (typeof id === 'string' ? answers.get(id) : undefined) ?? { status: 500, body: `no step ${String(id)}` };
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  return { ...started, expect: (id, answer) => answers.set(id, answer) };
}

/** The host a scenario runs on (memory is per host, so scenarios never meet). */
export function hostOf(pacing: string, index: number): string {
  return `s${index}.${pacing}.test`;
}

/** The request id of a step; the last step's is the one judged. */
export function stepId(host: string, step: number): string {
  return `${host}#${step}`;
}

/**
 * Sends every scenario's steps, in order, through `proxyUrl`: `paused` waits `pauseMs`
 * after each response (a new connection each time); `one-connection` sends each step the
 * moment the previous response ended, on one kept-alive connection; `several-connections`
 * does the same but takes turns between two kept-alive connections (behind `--workers 2`,
 * two processes: the primary hands connections out in turn).
 */
export async function sendScenarios(
  proxyUrl: string,
  backend: { expect: (id: string, answer: Answer) => void },
  scenarios: readonly SequenceScenario[],
  pacing: Pacing,
  options: { pauseMs?: number; label?: string } = {},
): Promise<void> {
  const agents = pacing === 'paused' ? [] : Array.from({ length: pacing === 'one-connection' ? 1 : 2 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  try {
    // Open the kept-alive connections first, so the steps do not wait for a handshake.
    await Promise.all(agents.map((agent) => request(`${proxyUrl}/warm-up`, { agent, headers: { host: 'warm-up.test' } })));
    let turn = 0;
    for (const [index, scenario] of scenarios.entries()) {
      const host = hostOf(options.label ?? pacing, index);
      for (const [i, step] of scenario.steps.entries()) {
        const id = stepId(host, i);
        backend.expect(id, step.answer);
        const agent = agents.length === 0 ? false : agents[turn++ % agents.length];
        await request(`${proxyUrl}${step.request.path}`, {
          method: step.request.method,
          agent,
          headers: { ...step.request.headers, host, 'x-request-id': id, [STEP_HEADER]: id },
          body: step.request.body,
        });
        if (pacing === 'paused') await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 30));
      }
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

/** Per scenario, the rules that fired on its last step (sorted), from violation log lines. */
export function findingsOfLastSteps(lines: ReadonlyArray<Record<string, unknown>>, scenarios: readonly SequenceScenario[], label: string): string[][] {
  return scenarios.map((scenario, index) => {
    const id = stepId(hostOf(label, index), scenario.steps.length - 1);
    return lines.filter((line) => line.msg === 'violation' && line.requestId === id).map((line) => line.rule as string).sort();
  });
}

/** The scenarios whose rule fired on the last step where it should not, or not where it should. */
export function mismatches(found: readonly string[][], scenarios: readonly SequenceScenario[]): string[] {
  return scenarios.flatMap((scenario, index) => {
    const fired = found[index]?.includes(scenario.rule) === true;
    return fired === scenario.fires ? [] : [`${scenario.rule}: ${scenario.name}: ${fired ? 'fired' : 'did not fire'}`];
  });
}
