import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

const SPEC = `openapi: 3.0.3
info: { title: books, version: '1' }
paths:
  /books/{id}:
    get:
      responses:
        '200':
          description: a book
          content:
            application/json:
              schema: { type: object, required: [title], properties: { title: { type: string } } }
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-spec-cli-'));
  writeFileSync(join(dir, 'openapi.yaml'), SPEC);
  writeFileSync(join(dir, 'broken.yaml'), SPEC.replace("required: [title]", 'required: title'));
  writeFileSync(join(dir, 'swagger.json'), '{"swagger": "2.0", "info": {}, "paths": {}}');
  return dir;
}

function har(dir: string): string {
  const entry = (path: string, body: string) => ({
    startedDateTime: '2026-01-01T00:00:00.000Z',
    request: { method: 'GET', url: `http://books.test${path}`, headers: [] },
    response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], content: { text: body } },
  });
  const file = join(dir, 'traffic.har');
  writeFileSync(file, JSON.stringify({ log: { entries: [entry('/books/1', '{"title": "Dune"}'), entry('/books/2', '{"name": "Emma"}'), entry('/authors/3', '{}')] } }));
  return file;
}

describe('--spec (built dist/cli.js)', () => {
  it('audit --spec judges recorded traffic against the document, with its templates as routes', async () => {
    const dir = workspace();
    const result = await runCli(['audit', har(dir), '--spec', join(dir, 'openapi.yaml'), '--json', '--fail-on', 'none']);
    expect(result.stderr).toBe('');
    const { findings } = JSON.parse(result.stdout) as { findings: Array<{ entry: number; rule: string; route: string; evidence: Record<string, unknown> }> };
    const spec = findings.filter((f) => ['response-schema-mismatch', 'undocumented-operation'].includes(f.rule)).map((f) => `${f.entry} ${f.rule} ${f.route}`);
    expect(spec).toEqual(['1 response-schema-mismatch /books/{id}', '2 undocumented-operation /authors/:id']);
    // Without the spec, the same traffic raises none of them.
    const plain = await runCli(['audit', har(dir), '--json', '--fail-on', 'none']);
    expect((JSON.parse(plain.stdout) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule)).not.toContain('response-schema-mismatch');
  });

  it('RESTAUDIT_SPEC names the document too', async () => {
    const dir = workspace();
    const result = await runCli(['audit', har(dir), '--json', '--fail-on', 'none'], { RESTAUDIT_SPEC: join(dir, 'openapi.yaml') });
    expect(result.stdout).toContain('response-schema-mismatch');
  });

  it('exits 2 with the pointer of each problem: at start, in audit, and in check-config for a spec the config names', async () => {
    const dir = workspace();
    const atStart = await runCli(['--spec', join(dir, 'broken.yaml'), '--target', 'http://127.0.0.1:9', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0']);
    expect(atStart.code).toBe(2);
    expect(atStart.stderr).toContain('#/paths/~1books~1{id}/get/responses/200/content/application~1json/schema/required: must be array');
    const swagger = await runCli(['audit', har(dir), '--spec', join(dir, 'swagger.json')]);
    expect(swagger.code).toBe(2);
    expect(swagger.stderr).toContain('#/swagger: Swagger "2.0" is not supported');
    // A spec named in a config file is found beside it.
    writeFileSync(join(dir, 'good.yaml'), 'spec: ./openapi.yaml\n');
    writeFileSync(join(dir, 'bad.yaml'), 'spec: ./broken.yaml\n');
    expect(await runCli(['check-config', join(dir, 'good.yaml')])).toMatchObject({ code: 0 });
    const bad = await runCli(['check-config', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('broken.yaml: #/paths/~1books~1{id}/get/responses/200');
  });
});
