import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RestauditError } from '../../../src/errors.js';
import { loadSpec, serversPath } from '../../../src/spec/compile-spec.js';

function file(name: string, text: string, dir = mkdtempSync(join(tmpdir(), 'restaudit-spec-'))): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

async function problems(path: string): Promise<readonly string[]> {
  try {
    await loadSpec(path);
  } catch (error) {
    if (error instanceof RestauditError) return error.problems;
    throw error;
  }
  return [];
}

const INFO = 'info: { title: t, version: "1" }';

describe('reading a spec', () => {
  it('refuses Swagger 2.0 and other versions, naming the member', async () => {
    expect(await problems(file('s.json', '{"swagger": "2.0", "paths": {}}'))).toEqual([expect.stringMatching(/#\/swagger: Swagger "2.0" is not supported: convert the document to OpenAPI 3/)]);
    expect(await problems(file('s.yaml', `openapi: 4.0.0\n${INFO}\npaths: {}`))).toEqual([expect.stringMatching(/#\/openapi: expected an OpenAPI version 3.0.x or 3.1.x, got "4.0.0"/)]);
    expect(await problems(file('s.yaml', '- a list'))).toEqual([expect.stringMatching(/expected an OpenAPI document/)]);
  });

  it('names the JSON pointer of a dangling $ref, and of a file that is missing', async () => {
    const dangling = `openapi: 3.0.3\n${INFO}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: x\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/Nope' }\n`;
    expect(await problems(file('s.yaml', dangling))).toEqual([expect.stringContaining('#/paths/~1a/get/responses/200/content/application~1json/schema: Missing $ref pointer')]);
    const missing = dangling.replace('#/components/schemas/Nope', './elsewhere.yaml#/Pet');
    expect((await problems(file('s.yaml', missing)))[0]).toMatch(/#\/paths\/~1a\/get\/responses\/200\/content\/application~1json\/schema: .*elsewhere\.yaml/);
    expect(await problems('/nonexistent/openapi.yaml')).toEqual([expect.stringContaining('ENOENT')]);
  });

  it('reports every broken part of a document with its pointer', async () => {
    const broken = `openapi: 3.1.0
${INFO}
paths:
  pets: {}
  /a:
    get:
      responses:
        '2000': { description: x }
        '200':
          description: ok
          content:
            application/json:
              schema: { type: strnig }
components:
  schemas:
    X: { type: object, required: 3 }
`;
    const found = await problems(file('s.yaml', broken));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining('#/components/schemas/X/required: must be array'),
        expect.stringContaining('#/paths/~1a/get/responses/200/content/application~1json/schema/type: '),
        expect.stringContaining('#/paths/pets: a path template must start with /'),
        expect.stringContaining('#/paths/~1a/get/responses/2000: expected a status code'),
      ]),
    );
  });

  it('reads relative $refs, YAML and JSON alike, and compiles each operation once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restaudit-spec-'));
    file('pet.json', '{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}', dir);
    const spec = await loadSpec(file('openapi.yaml', `openapi: 3.0.3\n${INFO}\npaths:\n  /pets:\n    post:\n      requestBody: { content: { application/json: { schema: { $ref: './pet.json' } } } }\n      responses: { '201': { description: ok } }\n`, dir));
    expect(spec.operations.map((operation) => operation.name)).toEqual(['POST /pets']);
    const check = spec.operations[0]?.requestBody?.media[0]?.check;
    expect(check?.({ name: 'rex' })).toBeUndefined();
    expect(check?.({})).toMatchObject({ pointer: '', keyword: 'required' });
  });
});

describe('the servers path', () => {
  it.each([
    [undefined, ''],
    [[{ url: '/' }], ''],
    [[{ url: '/api/v1/' }], '/api/v1'],
    [[{ url: 'https://x.example/api' }, { url: '/other' }], '/api'],
    [[{ url: 'https://x.example' }], ''],
    [[{ url: '{scheme}://x.example/{base}', variables: { scheme: { default: 'https' }, base: { default: 'v2' } } }], '/v2'],
    [[{ url: 'v3' }], '/v3'],
  ])('%j → %s', (servers, path) => {
    expect(serversPath(servers)).toBe(path);
  });
});
