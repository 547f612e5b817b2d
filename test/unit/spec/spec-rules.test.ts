import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditHar } from '../../../src/audit/har.js';
import type { HarEntry } from '../../../src/capture/har-entry.js';
import { resolveConfig } from '../../../src/config/load.js';
import { SPEC_RULE_IDS } from '../../../src/rules/ids.js';
import { loadSpec, type CompiledSpec } from '../../../src/spec/compile-spec.js';

const SPEC_30 = `
openapi: 3.0.3
info: { title: pets, version: '1' }
servers: [{ url: 'https://pets.example/{base}', variables: { base: { default: api/v1 } } }]
paths:
  /pets:
    post:
      requestBody:
        required: true
        content:
          application/json: { schema: { $ref: './schemas.yaml#/Pet' } }
      responses:
        '201':
          description: created
          headers:
            X-Rate-Limit: { required: true, schema: { type: integer } }
            Content-Type: { required: true, schema: { type: string } }
          content:
            application/json: { schema: { $ref: './schemas.yaml#/Pet' } }
        4XX: { description: refused }
  /pets/{petId}:
    get:
      responses:
        '200':
          description: a pet
          content:
            application/json: { schema: { $ref: './schemas.yaml#/Pet' } }
            application/*: { schema: { type: object } }
        '404': { $ref: '#/components/responses/NotFound' }
  /shapes:
    post:
      requestBody:
        content:
          application/json:
            schema:
              oneOf:
                - { type: object, required: [radius], properties: { radius: { type: number, minimum: 0, exclusiveMinimum: true } } }
                - { type: object, properties: { label: { type: string } } }
      responses:
        default: { description: anything }
components:
  responses:
    NotFound:
      description: not found
      content:
        application/problem+json: { schema: { type: object, required: [status] } }
`;

const SCHEMAS = `
Pet:
  type: object
  required: [id, name, password]
  properties:
    id: { type: integer, readOnly: true }
    name: { type: string, minLength: 1 }
    password: { type: string, writeOnly: true }
    tag: { $ref: '#/Tag' }
Tag: { type: string, nullable: true }
`;

function specDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-spec-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const pets30 = await loadSpec(join(specDir({ 'openapi.yaml': SPEC_30, 'schemas.yaml': SCHEMAS }), 'openapi.yaml'));

interface Shot {
  method?: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  requestType?: string | null;
  status: number;
  response?: unknown;
  responseType?: string;
  headers?: Record<string, string>;
}

function entry(shot: Shot): HarEntry {
  const requestHeaders = [];
  const text = shot.rawBody ?? (shot.body === undefined ? undefined : JSON.stringify(shot.body));
  if (text !== undefined && shot.requestType !== null) requestHeaders.push({ name: 'Content-Type', value: shot.requestType ?? 'application/json' });
  const responseText = shot.response === undefined ? undefined : typeof shot.response === 'string' ? shot.response : JSON.stringify(shot.response);
  const responseHeaders = Object.entries(shot.headers ?? {}).map(([name, value]) => ({ name, value }));
  if (responseText !== undefined) responseHeaders.push({ name: 'Content-Type', value: shot.responseType ?? 'application/json' });
  return {
    request: { method: shot.method ?? 'GET', url: `https://pets.example${shot.path}`, headers: requestHeaders, postData: text === undefined ? undefined : { text } },
    response: { status: shot.status, headers: responseHeaders, content: responseText === undefined ? undefined : { text: responseText } },
  };
}

/** The spec rules (and server-error-on-bad-input) one exchange raises. */
function specFindings(shot: Shot, spec: CompiledSpec | null = pets30, config: Record<string, unknown> = {}): string[] {
  const rules = new Set<string>([...SPEC_RULE_IDS, 'server-error-on-bad-input']);
  return auditHar([entry(shot)], resolveConfig(config), spec ?? undefined)
    .map((finding) => finding.rule)
    .filter((rule) => rules.has(rule))
    .sort();
}

const created = { 'X-Rate-Limit': '9', Location: '/api/v1/pets/1' };

describe('spec rules on an OpenAPI 3.0 document', () => {
  it.each<[string, Shot, string[]]>([
    ['a conforming creation', { method: 'POST', path: '/api/v1/pets', body: { name: 'rex', password: 'x' }, status: 201, response: { id: 1, name: 'rex' }, headers: created }, []],
    ['a missing writeOnly member accepted', { method: 'POST', path: '/api/v1/pets', body: { name: 'rex' }, status: 201, response: { id: 1, name: 'rex' }, headers: created }, ['request-schema-violation-accepted']],
    ['a readOnly member sent: not a violation', { method: 'POST', path: '/api/v1/pets', body: { id: 4, name: 'rex', password: 'x' }, status: 201, response: { id: 4, name: 'rex' }, headers: created }, []],
    ['an empty name accepted', { method: 'POST', path: '/api/v1/pets', body: { name: '', password: 'x' }, status: 201, response: { id: 1, name: 'x' }, headers: created }, ['request-schema-violation-accepted']],
    ['a required body missing, accepted', { method: 'POST', path: '/api/v1/pets', status: 201, response: { id: 1, name: 'x' }, headers: created }, ['request-schema-violation-accepted']],
    ['an invalid body refused with 4XX', { method: 'POST', path: '/api/v1/pets', body: { name: '' }, status: 422 }, []],
    ['an invalid body answered 500', { method: 'POST', path: '/api/v1/pets', body: { name: 3, password: 'x' }, status: 500, response: 'oops', responseType: 'text/plain' }, ['server-error-on-bad-input', 'undocumented-status']],
    ['an invalid body without Content-Type: not judged', { method: 'POST', path: '/api/v1/pets', body: { name: 3 }, requestType: null, status: 201, response: { id: 1, name: 'x' }, headers: created }, []],
    ['an invalid body under an undocumented media type: not judged', { method: 'POST', path: '/api/v1/pets', body: { name: 3 }, requestType: 'application/x-www-form-urlencoded', status: 201, response: { id: 1, name: 'x' }, headers: created }, []],
    ['an unparseable body: not judged', { method: 'POST', path: '/api/v1/pets', rawBody: '{"name": ', status: 201, response: { id: 1, name: 'x' }, headers: created }, []],
    ['a body valid under two oneOf branches', { method: 'POST', path: '/api/v1/shapes', body: { radius: 2 }, status: 200 }, []],
    ['a body valid under no oneOf branch', { method: 'POST', path: '/api/v1/shapes', body: { label: 5 }, status: 200 }, ['request-schema-violation-accepted']],
    ["3.0's boolean exclusiveMinimum", { method: 'POST', path: '/api/v1/shapes', body: { radius: 0 }, status: 200 }, []],
    ['a nullable member that is null', { path: '/api/v1/pets/1', status: 200, response: { id: 1, name: 'rex', tag: null } }, []],
    ['a writeOnly member left out of a response', { path: '/api/v1/pets/1', status: 200, response: { id: 1, name: 'rex' } }, []],
    ['a response member of the wrong type', { path: '/api/v1/pets/1', status: 200, response: { id: 1, name: 'rex', tag: 5 } }, ['response-schema-mismatch']],
    ['a response missing a required member', { path: '/api/v1/pets/1', status: 200, response: { name: 'rex' } }, ['response-schema-mismatch']],
    ['a JSON media type under a documented range', { path: '/api/v1/pets/1', status: 200, response: { any: 1 }, responseType: 'application/vnd.pet+json' }, []],
    ['an undocumented media type', { path: '/api/v1/pets/1', status: 200, response: '<p>rex</p>', responseType: 'text/html' }, ['undocumented-content-type']],
    ['a documented 404 through a $ref', { path: '/api/v1/pets/9', status: 404, response: { status: 404 }, responseType: 'application/problem+json' }, []],
    ['an undocumented status', { path: '/api/v1/pets/1', status: 410 }, ['undocumented-status']],
    ['a status within a documented range', { method: 'POST', path: '/api/v1/pets', body: { name: 'rex', password: 'x' }, status: 409 }, []],
    ['a 304 to an unconditional request', { path: '/api/v1/pets/1', status: 304 }, ['undocumented-status']],
    ['a missing required header', { method: 'POST', path: '/api/v1/pets', body: { name: 'rex', password: 'x' }, status: 201, response: { id: 1, name: 'rex' }, headers: { Location: '/api/v1/pets/1' } }, ['missing-documented-header']],
    ['HEAD where only GET is documented', { method: 'HEAD', path: '/api/v1/pets/1', status: 200 }, []],
    ['HEAD refused with 405: no operation, no shadow', { method: 'HEAD', path: '/api/v1/pets/1', status: 405 }, []],
    ['an undocumented method', { method: 'DELETE', path: '/api/v1/pets/1', status: 204 }, ['undocumented-operation']],
    ['an undocumented method refused with 405', { method: 'DELETE', path: '/api/v1/pets/1', status: 405 }, []],
    ['an undocumented path', { path: '/api/v1/admin', status: 200, response: {} }, ['undocumented-operation']],
    ['an undocumented path answered 404', { path: '/api/v1/admin', status: 404 }, []],
    ['a documented path outside the servers path', { path: '/pets/1', status: 200, response: {} }, ['undocumented-operation']],
    ['an OPTIONS preflight the document does not describe', { method: 'OPTIONS', path: '/api/v1/anything', status: 204 }, []],
  ])('%s', (_name, shot, expected) => {
    expect(specFindings(shot)).toEqual(expected);
  });

  it('judges a 304 only when the request was not conditional', () => {
    const conditional = entry({ path: '/api/v1/pets/1', status: 304 });
    (conditional.request.headers as { name: string; value: string }[]).push({ name: 'If-None-Match', value: '"v1"' });
    expect(auditHar([conditional], resolveConfig({}), pets30).map((f) => f.rule)).not.toContain('undocumented-status');
  });

  it('leaves truncated bodies unjudged', () => {
    const long = { name: 'x'.repeat(200), password: 7 };
    expect(specFindings({ method: 'POST', path: '/api/v1/pets', body: long, status: 201, response: { id: 1, name: 'x' }, headers: created }, pets30, { inspect: { maxBodyBytes: 64 } })).toEqual([]);
  });

  it('runs no spec rule without a spec', () => {
    expect(specFindings({ path: '/api/v1/admin', status: 200, response: {} }, null)).toEqual([]);
  });

  it('quotes where and which keyword, never the value', () => {
    const [finding] = auditHar([entry({ path: '/api/v1/pets/1', status: 200, response: { id: 1, name: 'rex', tag: 987654 } })], resolveConfig({}), pets30);
    expect(finding).toMatchObject({ rule: 'response-schema-mismatch', route: '/api/v1/pets/{petId}', evidence: { pointer: '/tag', keyword: 'type', operation: 'GET /api/v1/pets/{petId}' } });
    expect(JSON.stringify(finding)).not.toContain('987654');
  });
});

describe('spec rules on an OpenAPI 3.1 document', () => {
  const spec31 = loadSpec(
    join(
      specDir({
        'openapi.json': JSON.stringify({
          openapi: '3.1.0',
          info: { title: 't', version: '1' },
          paths: {
            '/notes/{id}': {
              get: {
                responses: {
                  '200': {
                    description: 'a note',
                    content: { 'application/json': { schema: { type: 'object', required: ['text'], properties: { text: { type: ['string', 'null'] }, tags: { type: 'array', prefixItems: [{ type: 'string' }], items: false } } } } },
                  },
                },
              },
            },
          },
        }),
      }),
      'openapi.json',
    ),
  );

  it('validates with JSON Schema 2020-12', async () => {
    const spec = await spec31;
    expect(specFindings({ path: '/notes/1', status: 200, response: { text: null, tags: ['a'] } }, spec)).toEqual([]);
    expect(specFindings({ path: '/notes/1', status: 200, response: { text: 'x', tags: ['a', 'b'] } }, spec)).toEqual(['response-schema-mismatch']);
    expect(specFindings({ path: '/notes/1', status: 200, response: { text: 3 } }, spec)).toEqual(['response-schema-mismatch']);
  });
});
