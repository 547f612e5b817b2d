import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliWithInput } from './cli-process.js';

const CORPUS = 'test/e2e/fixtures/hars';
const TRAFFIC = 'test/e2e/fixtures/traffic.har';

interface Entry {
  startedDateTime: string;
  request: { method: string; url: string; headers: Array<{ name: string; value: string }> };
  response: { status: number; headers: Array<{ name: string; value: string }>; content: { mimeType?: string; text?: string } };
}

function entries(file: string): Entry[] {
  return (JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as { log: { entries: Entry[] } }).log.entries;
}

function har(list: unknown[]): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: list } });
}

describe('restaudit audit: inputs', () => {
  it('audits every export of the real-tools corpus, with a summary line', async () => {
    const names = readdirSync(CORPUS).filter((file) => file.endsWith('.har'));
    const results = await Promise.all(names.map((name) => runCli(['audit', join(CORPUS, name)])));
    for (const [i, name] of names.entries()) {
      const result = results[i] as Awaited<ReturnType<typeof runCli>>;
      expect(result.stderr, name).toBe('');
      expect(result.code, name).toBe(0);
      const total = entries(join(CORPUS, name)).length;
      const summary = /^audited (\d+) entr(?:y|ies) \((\d+) skipped[^)]*\), (\d+) findings?/m.exec(result.stdout);
      expect(summary, `${name}: ${result.stdout}`).not.toBeNull();
      expect(Number(summary?.[1]) + Number(summary?.[2]), name).toBe(total);
    }
  }, 60_000);

  it('reads a Chrome export that starts with a byte-order mark, and skips and counts an entry without a response', async () => {
    const bom = await runCli(['audit', join(CORPUS, 'with-bom.har')]);
    expect(bom.code).toBe(0);
    expect(bom.stdout).toMatch(/^audited 1 entry \(0 skipped\), 0 findings$/m);
    // chrome.har holds an aborted request (status 0): skipped, the others audited.
    const chrome = await runCli(['audit', join(CORPUS, 'chrome.har')]);
    expect(chrome.stdout).toMatch(/^audited 2 entries \(1 skipped: 1 no response\), 0 findings$/m);
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-inputs-'));
    const list: unknown[] = entries(TRAFFIC);
    list.splice(2, 0, { startedDateTime: '2026-11-24T10:00:02.500Z', request: { method: 'GET', url: 'http://api.test/x', headers: [] } });
    writeFileSync(join(dir, 'aborted.har'), har(list));
    const aborted = await runCli(['audit', join(dir, 'aborted.har'), '--fail-on', 'none']);
    expect(aborted.code).toBe(0);
    expect(aborted.stdout).toMatch(/^audited 5 entries \(1 skipped: 1 no response\), 3 findings \(2 error, 1 warning\)$/m);
   }, 60_000);

  it('takes content.mimeType as the Content-Type where the export dropped the header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-inputs-'));
    const entry = (mimeType: string | undefined) => ({
      startedDateTime: '2026-11-24T10:00:00.000Z',
      request: { method: 'GET', url: 'http://api.test/books', headers: [] },
      response: { status: 200, headers: [], content: { ...(mimeType === undefined ? {} : { mimeType }), text: '[{"id":1}]' } },
    });
    writeFileSync(join(dir, 'with.har'), har([entry('application/json')]));
    writeFileSync(join(dir, 'without.har'), har([entry(undefined)]));
    const withType = await runCli(['audit', join(dir, 'with.har'), '--format', 'json']);
    expect((JSON.parse(withType.stdout) as { findings: unknown[] }).findings).toEqual([]);
    const without = await runCli(['audit', join(dir, 'without.har'), '--format', 'json']);
    expect((JSON.parse(without.stdout) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule)).toEqual(['missing-content-type']);
   }, 60_000);

  it('reads NDJSON of HAR entries from standard input (audit -) and names each finding by its line', async () => {
    const ndjson = `${entries(TRAFFIC).map((entry) => JSON.stringify(entry)).join('\n')}\nnot json\n`;
    const result = await runCliWithInput(['audit', '-'], ndjson);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^line 2 POST \/books 201 +error +created-without-location: /m);
    expect(result.stdout).toMatch(/^line 4 GET \/books\/1 200 +error +deleted-resource-still-served: /m);
    expect(result.stdout).toMatch(/^audited 5 entries \(1 skipped: 1 not JSON\), 3 findings/m);
  });

  it('exits 2 on a document that is not JSON, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-inputs-'));
    writeFileSync(join(dir, 'broken.har'), '{"log": {"entries": [ {"request": ');
    const result = await runCli(['audit', join(dir, 'broken.har')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.har: not valid JSON/);
  });
});
