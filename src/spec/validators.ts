import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import { isObject, resolvePointer, type Json, type SpecDocument } from './load-spec.js';
import { schemaVariant, type Direction } from './schema-variants.js';
import type { SchemaCheck, SchemaViolation } from './types.js';

// ajv-formats is CommonJS: its default export arrives as the module object.
const addFormats = addFormatsModule.default as unknown as (ajv: Ajv) => Ajv;

/** The key under which each variant of the document is known to its validator. */
const DOCUMENT_ID = 'restaudit:spec';
/** The longest body pointer evidence quotes (it is made of the client's member names). */
const MAX_POINTER = 200;

export interface Validators {
  /** Problems found in the document's schemas, each with its path in the document. */
  readonly problems: readonly { path: string[]; message: string }[];
  /** The check of the schema at `pointer`, for bodies travelling in `direction`; a string says why it does not compile. */
  compile(direction: Direction, pointer: string): SchemaCheck | string;
}

/** OpenAPI's own formats beyond JSON Schema's: numeric ones checked, the rest are annotations. */
function addOpenApiFormats(ajv: Ajv): void {
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  for (const name of ['binary', 'password']) ajv.addFormat(name, true);
}

function createAjv(version: '3.0' | '3.1'): Ajv {
  const options = { strict: false, allErrors: false, validateSchema: false, logger: false } as const;
  const ajv = version === '3.1' ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  addOpenApiFormats(ajv);
  return ajv;
}

/**
 * Two validators over the document, one per direction of travel (schema-variants), each
 * compiling a schema once, wherever in the document it is, `$ref`s and recursion included.
 */
export function createValidators(spec: SpecDocument): Validators {
  const byDirection = new Map<Direction, Ajv>();
  for (const direction of ['request', 'response'] as const) {
    const ajv = createAjv(spec.version);
    ajv.addSchema(schemaVariant(spec.document, spec.version, direction), DOCUMENT_ID);
    byDirection.set(direction, ajv);
  }
  const problems = metaProblems(byDirection.get('response') as Ajv);
  const cache = new Map<string, SchemaCheck | string>();
  return {
    problems,
    compile(direction, pointer) {
      const key = `${direction} ${pointer}`;
      let check = cache.get(key);
      if (check === undefined) {
        try {
          const validate = (byDirection.get(direction) as Ajv).compile({ $ref: `${DOCUMENT_ID}${pointer}` });
          check = (value) => (validate(value) ? undefined : violationOf(validate));
        } catch (error) {
          check = `the schema does not compile: ${(error as Error).message.split('\n')[0]}`;
        }
        cache.set(key, check);
      }
      return check;
    },
  };
}

function violationOf(validate: ValidateFunction): SchemaViolation {
  const error = validate.errors?.[0] as ErrorObject;
  const pointer = error.instancePath.length > MAX_POINTER ? `${error.instancePath.slice(0, MAX_POINTER)}...` : error.instancePath;
  return { pointer, keyword: error.keyword, detail: error.message ?? error.keyword };
}

/**
 * Every schema of `components.schemas` and every media type's schema checked against the
 * dialect's meta-schema (3.0 after its rewrite as draft 7), each problem at its pointer.
 */
function metaProblems(ajv: Ajv): { path: string[]; message: string }[] {
  const rewritten = (ajv.getSchema(DOCUMENT_ID)?.schema ?? {}) as Json;
  const problems: { path: string[]; message: string }[] = [];
  const check = (path: string[], schema: unknown): void => {
    if (!isObject(schema) && typeof schema !== 'boolean') {
      problems.push({ path, message: 'expected a schema (a mapping)' });
      return;
    }
    if (ajv.validateSchema(schema) === true) return;
    // The first error says where; the ones after it are usually the same one, restated.
    for (const error of (ajv.errors ?? []).slice(0, 1)) {
      problems.push({ path: [...path, ...error.instancePath.split('/').slice(1).map(unescape)], message: `${error.message ?? 'invalid'} (${error.keyword})` });
    }
  };
  const schemas = resolvePointer(rewritten, '#/components/schemas');
  if (isObject(schemas)) for (const [name, schema] of Object.entries(schemas)) check(['components', 'schemas', name], schema);
  const paths = rewritten.paths;
  for (const [path, item] of Object.entries(isObject(paths) ? paths : {})) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!isObject(operation)) continue;
      const bodies: [string[], unknown][] = [[['requestBody'], operation.requestBody]];
      for (const [status, response] of Object.entries(isObject(operation.responses) ? operation.responses : {})) bodies.push([['responses', status], response]);
      for (const [at, body] of bodies) {
        if (!isObject(body) || !isObject(body.content)) continue;
        for (const [media, value] of Object.entries(body.content)) {
          if (isObject(value) && value.schema !== undefined) check(['paths', path, method, ...at, 'content', media, 'schema'], value.schema);
        }
      }
    }
  }
  return problems;
}

function unescape(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}
