import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    expect(missing.stderr).toBe(`restaudit: ${join(dir, 'missing.har')}: no such file or directory\n`);
  });
});
