import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

const TRAFFIC = 'test/e2e/fixtures/traffic.har';
const run = promisify(execFile);

interface SarifResult {
  ruleId: string;
  level: string;
  partialFingerprints: Record<string, string>;
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations: Array<{ name: string }> }>;
}

/**
 * Microsoft's SARIF Multitool from its npm package (a self-contained binary; runs offline),
 * with the SARIF rules and GitHub code scanning's ingestion rules (`Gh`). The package's
 * bin.js runs the binary through a shell, which would split `Sarif;Gh`: the binary is run itself.
 */
async function validateSarif(file: string): Promise<string> {
  const bin = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
  const out = join(mkdtempSync(join(tmpdir(), 'restaudit-sarif-')), 'validation.sarif');
  await run(bin, ['validate', file, '--output', out, '--rule-kind', 'Sarif;Gh', '--log', 'ForceOverwrite'], { timeout: 120_000 }).catch((error: unknown) => error);
  return readFileSync(out, 'utf8');
}

describe('restaudit audit: outputs', () => {
  it('writes SARIF 2.1.0 that the SARIF Multitool validates, GitHub rules included', async () => {
    const result = await runCli(['audit', TRAFFIC, '--format', 'sarif', '--fail-on', 'none']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^audited 5 entries \(0 skipped\), 3 findings/);
    const sarif = JSON.parse(result.stdout) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string; help: { text: string }; defaultConfiguration: { level: string } }> } }; results: SarifResult[] }> };
    expect(sarif.version).toBe('2.1.0');
    const [runLog] = sarif.runs;
    const rule = runLog?.tool.driver.rules.find((r) => r.id === 'created-without-location');
    expect(rule?.help.text).toContain('RFC 9110');
    expect(rule?.defaultConfiguration.level).toBe('error');
    const created = runLog?.results.find((r) => r.ruleId === 'created-without-location');
    expect(created?.partialFingerprints['restaudit/v1']).toMatch(/^[0-9a-f]{32}$/);
    expect(created?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(TRAFFIC);
    expect(created?.locations[0]?.logicalLocations[0]?.name).toBe('POST /books');

    const dir = mkdtempSync(join(tmpdir(), 'restaudit-sarif-'));
    writeFileSync(join(dir, 'audit.sarif'), result.stdout);
    const validation = JSON.parse(await validateSarif(join(dir, 'audit.sarif'))) as { runs: Array<{ results?: Array<{ level?: string; ruleId: string; message: { text?: string } }> }> };
    const errors = (validation.runs[0]?.results ?? []).filter((r) => r.level === 'error' || r.level === undefined);
    expect(errors.map((r) => `${r.ruleId}: ${r.message.text ?? ''}`)).toEqual([]);

    // The validator does fail a log GitHub would refuse (a result without locations): the check can go red.
    const broken = JSON.parse(result.stdout) as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    delete broken.runs[0]?.results[0]?.locations;
    writeFileSync(join(dir, 'broken.sarif'), JSON.stringify(broken));
    const brokenValidation = JSON.parse(await validateSarif(join(dir, 'broken.sarif'))) as { runs: Array<{ results?: Array<{ level?: string }> }> };
    expect((brokenValidation.runs[0]?.results ?? []).some((r) => r.level === 'error' || r.level === undefined)).toBe(true);
  }, 240_000);

  it('writes JUnit XML with one test case per fingerprint', async () => {
    const result = await runCli(['audit', TRAFFIC, '--format', 'junit']);
    expect(result.code).toBe(1);
    expect(result.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="restaudit" tests="3" failures="3" skipped="0"')).toBe(true);
    expect(result.stdout.match(/<testcase /g)).toHaveLength(3);
    expect(result.stdout).toContain('<testcase classname="restaudit.created-without-location" name="POST /books on api.test"');
    // Well-formed: Python's XML parser reads it.
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-junit-'));
    writeFileSync(join(dir, 'junit.xml'), result.stdout);
    const { stdout } = await run('/usr/bin/python3', ['-c', 'import sys,xml.etree.ElementTree as E; print(len(E.parse(sys.argv[1]).getroot().iter("testcase").__next__().attrib))', join(dir, 'junit.xml')]);
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  }, 60_000);

  it('fails only on findings new since the baseline; --fail-on none never fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-baseline-'));
    const baseline = join(dir, 'baseline.json');
    const first = await runCli(['audit', TRAFFIC, '--write-baseline', baseline]);
    expect(first.code).toBe(1);
    const written = JSON.parse(readFileSync(baseline, 'utf8')) as { findings: Array<{ rule: string; method: string; route: string; host: string; fingerprint: string }> };
    expect(written.findings.map((f) => `${f.rule} ${f.method} ${f.route} ${f.host}`)).toEqual([
      'created-without-location POST /books api.test',
      'deleted-resource-still-served GET /books/:id api.test',
      'unauthorized-without-www-authenticate GET /admin api.test',
    ]);
    const again = await runCli(['audit', TRAFFIC, '--baseline', baseline]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/3 findings \(2 error, 1 warning\), 0 new since the baseline$/m);
    expect(again.stdout).toContain('(in baseline)');

    // A new finding: the same fault on another route fails the run.
    const traffic = JSON.parse(readFileSync(TRAFFIC, 'utf8')) as { log: { entries: Array<{ request: { url: string } }> } };
    const post = structuredClone(traffic.log.entries[1]) as { request: { url: string }; startedDateTime: string };
    post.request.url = 'http://api.test/authors';
    post.startedDateTime = '2026-11-24T10:00:09.000Z';
    traffic.log.entries.push(post);
    writeFileSync(join(dir, 'more.har'), JSON.stringify(traffic));
    const regressed = await runCli(['audit', join(dir, 'more.har'), '--baseline', baseline]);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toMatch(/, 1 new since the baseline$/m);
    expect((await runCli(['audit', join(dir, 'more.har'), '--baseline', baseline, '--fail-on', 'none'])).code).toBe(0);

    writeFileSync(join(dir, 'bad.json'), '{"findings": 3}');
    const bad = await runCli(['audit', TRAFFIC, '--baseline', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a restaudit baseline');
  }, 90_000);

  it('rejects what does not fit: an unknown format, --json against --format, --follow with sarif', async () => {
    const result = await runCli(['audit', TRAFFIC, '--format', 'xml', '--fail-on', 'sometimes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("restaudit: --format: expected one of text, json, sarif, junit, got 'xml'\nrestaudit: --fail-on: expected one of error, warning, info, none, got 'sometimes'\n");
    expect((await runCli(['audit', TRAFFIC, '--json', '--format', 'sarif'])).stderr).toContain('--json is --format json: it contradicts --format sarif');
    expect((await runCli(['audit', TRAFFIC, '--follow', '--format', 'sarif'])).stderr).toContain('--format sarif does not apply with --follow');
  }, 60_000);
});
