import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEQUENCE_SCENARIOS } from '../fixtures/rule-scenarios.js';
import { mismatches } from '../helpers/sequences.js';
import { runCli } from './cli-process.js';

const HAR = 'test/e2e/fixtures/traffic.har';

describe('restaudit audit FILE.har (built dist/cli.js)', () => {
  it('runs the same rules, cross-exchange ones included, over recorded traffic', async () => {
    const result = await runCli(['audit', HAR, '--json']);
    expect(result.code).toBe(1); // an error-severity finding, and --fail-on defaults to error
    const { findings } = JSON.parse(result.stdout) as { findings: Array<Record<string, unknown>> };
    const found = findings.map((finding) => `${finding.entry as number} ${finding.rule as string}`);
    expect(found).toEqual(expect.arrayContaining(['1 created-without-location', '3 deleted-resource-still-served', '4 unauthorized-without-www-authenticate']));
    // Entry 0 is a well-formed exchange; a HAR body is stored decoded, so gzip is not undone again.
    expect(found.filter((line) => line.startsWith('0 ') || line.includes('invalid-json-response'))).toEqual([]);
    expect(findings.find((finding) => finding.rule === 'deleted-resource-still-served')?.evidence).toMatchObject({ earlier: { method: 'DELETE', status: 204, ageSeconds: 1 } });
  });

  it('prints one line per finding and a summary, and fails only at the chosen severity', async () => {
    const text = await runCli(['audit', HAR]);
    expect(text.stdout).toMatch(/#1 POST \/books 201 +error +created-without-location: /);
    expect(text.stdout).toMatch(/\d+ findings \(/);
    expect((await runCli(['audit', HAR, '--fail-on', 'none'])).code).toBe(0);
    expect((await runCli(['audit', HAR, '--fail-on', 'info'])).code).toBe(1);
    const bad = await runCli(['audit', HAR, '--fail-on', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-on: expected one of');
  });

  it('exits 2 naming what is wrong with the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-har-'));
    writeFileSync(join(dir, 'not.har'), '{"log": {}}');
    const notHar = await runCli(['audit', join(dir, 'not.har')]);
    expect(notHar.code).toBe(2);
    expect(notHar.stderr).toContain('log.entries: expected a list');
    const missing = await runCli(['audit', join(dir, 'missing.har')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
  });

  it('judges every cross-exchange scenario as the proxy does, each origin of the file on its own', async () => {
    // One HAR of every scenario, each on a host of its own: memory is per host, so they never meet.
    const entries: unknown[] = [];
    const last: number[] = [];
    let second = 0;
    SEQUENCE_SCENARIOS.forEach((scenario, index) => {
      for (const step of scenario.steps) {
        const { request, answer } = step;
        entries.push({
          startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, second++)).toISOString(),
          time: 1,
          request: {
            method: request.method,
            url: `http://s${index}.audit.test${request.path}`,
            headers: Object.entries(request.headers ?? {}).map(([name, value]) => ({ name, value })),
            ...(request.body === undefined ? {} : { postData: { mimeType: request.headers?.['content-type'] ?? 'application/json', text: request.body } }),
          },
          response: {
            status: answer.status,
            headers: Object.entries(answer.headers ?? {}).map(([name, value]) => ({ name, value: String(value) })),
            content: { text: answer.body === undefined ? '' : String(answer.body) },
          },
        });
      }
      last.push(entries.length - 1);
    });
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-har-'));
    writeFileSync(join(dir, 'sequences.har'), JSON.stringify({ log: { version: '1.2', entries } }));
    const result = await runCli(['audit', join(dir, 'sequences.har'), '--json', '--fail-on', 'none']);
    expect(result.code).toBe(0);
    const { findings } = JSON.parse(result.stdout) as { findings: Array<{ entry: number; rule: string }> };
    const found = last.map((entry) => findings.filter((finding) => finding.entry === entry).map((finding) => finding.rule));
    expect(mismatches(found, SEQUENCE_SCENARIOS)).toEqual([]);
  });
});
