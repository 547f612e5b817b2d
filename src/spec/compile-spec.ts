import { ERROR_CODES, RestauditError } from '../errors.js';
import { RouteTrie } from '../routes/route-trie.js';
import { deref, isObject, pointerOf, readSpec, type Json, type SpecDocument } from './load-spec.js';
import { createValidators, type Validators } from './validators.js';
import type { SpecMedia, SpecOperation, SpecPath, SpecResponse } from './types.js';

/** An OpenAPI document compiled once: its operations, its path templates in a trie. */
export interface CompiledSpec {
  readonly file: string;
  readonly version: '3.0' | '3.1';
  /** The path of the first `servers` URL, without a trailing slash (`/api/v1`, or `''`). */
  readonly basePath: string;
  readonly operations: readonly SpecOperation[];
  /** Path items by full template, for the route resolver. */
  readonly paths: RouteTrie<SpecPath>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const RESPONSE_KEY = /^(?:[1-5]\d\d|[1-5]XX|default)$/;
/** Media ranges a JSON body may arrive under: the ones whose schemas are compiled. */
const MAYBE_JSON = /^(?:application\/(?:[\w.+-]+\+)?json|application\/\*|\*\/\*)$/;

/**
 * Compiles every operation of a document: its request and response schemas (for both
 * directions, see schema-variants), media types, statuses and required headers. Throws
 * RA_ERR_SPEC_INVALID naming the JSON pointer of each problem found.
 */
export function compileSpec(spec: SpecDocument): CompiledSpec {
  const problems: string[] = [];
  const say = (path: readonly (string | number)[], problem: string): void => {
    if (problems.length < 100) problems.push(`spec ${spec.file}: ${pointerOf(path)}: ${problem}`);
  };
  const document = spec.document as Json;
  const validators = createValidators(spec);
  for (const problem of validators.problems) say(problem.path, problem.message);
  const basePath = serversPath(document.servers);
  const operations: SpecOperation[] = [];
  const paths = new RouteTrie<SpecPath>();

  const rawPaths = document.paths;
  if (rawPaths === undefined && spec.version === '3.0') say(['paths'], 'is required');
  else if (rawPaths !== undefined && !isObject(rawPaths)) say(['paths'], 'expected a mapping of path templates');
  for (const [key, rawItem] of Object.entries(isObject(rawPaths) ? rawPaths : {})) {
    if (!key.startsWith('/')) {
      say(['paths', key], 'a path template must start with /');
      continue;
    }
    const item = deref(document, rawItem, pointerOf(['paths', key]));
    if (item === undefined || !isObject(item.node)) {
      say(['paths', key], 'expected a path item (a mapping), or a $ref to one');
      continue;
    }
    const template = `${basePath}${key}`;
    const byMethod = new Map<string, SpecOperation>();
    for (const method of METHODS) {
      const operation = item.node[method];
      if (operation === undefined) continue;
      const at = ['paths', key, method];
      if (!isObject(operation)) {
        say(at, 'expected an operation (a mapping)');
        continue;
      }
      const compiled = compileOperation(document, validators, method.toUpperCase(), template, operation, at, say);
      byMethod.set(compiled.method, compiled);
      operations.push(compiled);
    }
    paths.insert(template, { template, operations: byMethod });
  }
  if (problems.length > 0) throw new RestauditError(ERROR_CODES.specInvalid, problems);
  return { file: spec.file, version: spec.version, basePath, operations, paths };
}

type Say = (path: readonly (string | number)[], problem: string) => void;

function compileOperation(document: Json, validators: Validators, method: string, template: string, operation: Json, at: readonly (string | number)[], say: Say): SpecOperation {
  let requestBody: SpecOperation['requestBody'];
  if (operation.requestBody !== undefined) {
    const body = deref(document, operation.requestBody, pointerOf([...at, 'requestBody']));
    if (body === undefined || !isObject(body.node)) say([...at, 'requestBody'], 'expected a request body (a mapping), or a $ref to one');
    else requestBody = { required: body.node.required === true, media: compileMedia(validators, 'request', body.node.content, body.pointer, say) ?? [] };
  }
  const responses = new Map<string, SpecResponse>();
  const rawResponses = operation.responses;
  if (rawResponses !== undefined && !isObject(rawResponses)) say([...at, 'responses'], 'expected a mapping of statuses to responses');
  for (const [key, raw] of Object.entries(isObject(rawResponses) ? rawResponses : {})) {
    const status = key.toLowerCase() === 'default' ? 'default' : key.toUpperCase();
    if (!RESPONSE_KEY.test(status)) {
      say([...at, 'responses', key], 'expected a status code (200), a range (4XX) or default');
      continue;
    }
    const response = deref(document, raw, pointerOf([...at, 'responses', key]));
    if (response === undefined || !isObject(response.node)) {
      say([...at, 'responses', key], 'expected a response (a mapping), or a $ref to one');
      continue;
    }
    responses.set(status, {
      key: status,
      media: compileMedia(validators, 'response', response.node.content, response.pointer, say),
      requiredHeaders: requiredHeaders(document, response.node.headers),
    });
  }
  const operationId = typeof operation.operationId === 'string' ? operation.operationId : undefined;
  return { method, template, name: `${method} ${template}`, operationId, requestBody, responses };
}

function compileMedia(validators: Validators, direction: 'request' | 'response', content: unknown, pointer: string, say: Say): SpecMedia[] | undefined {
  if (content === undefined) return undefined;
  if (!isObject(content)) {
    say(pointerPath(pointer, 'content'), 'expected a mapping of media types');
    return [];
  }
  const media: SpecMedia[] = [];
  for (const [key, value] of Object.entries(content)) {
    const range = (key.split(';')[0] as string).trim().toLowerCase();
    const schemaPointer = `${pointer}/content/${key.replace(/~/g, '~0').replace(/\//g, '~1')}/schema`;
    if (!isObject(value) || value.schema === undefined || !MAYBE_JSON.test(range)) {
      media.push({ range, check: undefined, schemaPointer: undefined });
      continue;
    }
    const check = validators.compile(direction, schemaPointer);
    if (typeof check === 'string') say(pointerPath(schemaPointer), check);
    media.push({ range, check: typeof check === 'string' ? undefined : check, schemaPointer });
  }
  return media;
}

/** `#/a/b` (+ more) back into the path form `say` takes. */
function pointerPath(pointer: string, ...more: string[]): string[] {
  const parts = pointer.slice(2).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [...parts, ...more];
}

function requiredHeaders(document: Json, headers: unknown): string[] {
  if (!isObject(headers)) return [];
  const names: string[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    const header = deref(document, raw, '');
    // OpenAPI: a Content-Type header definition is ignored (the media types say it).
    if (isObject(header?.node) && header.node.required === true && name.toLowerCase() !== 'content-type') names.push(name.toLowerCase());
  }
  return names;
}

/**
 * The path of the first `servers` URL, its variables at their defaults: `https://x/api/v1/`
 * → `/api/v1`. None, `/` or an unreadable URL → `''`.
 */
export function serversPath(servers: unknown): string {
  const first: unknown = Array.isArray(servers) ? servers[0] : undefined;
  if (!isObject(first) || typeof first.url !== 'string') return '';
  const variables = isObject(first.variables) ? first.variables : {};
  const url = first.url.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    return isObject(variable) && typeof variable.default === 'string' ? variable.default : whole;
  });
  let path: string;
  if (url.startsWith('/')) path = url;
  else {
    try {
      path = new URL(url).pathname;
    } catch {
      path = url.includes('://') ? '' : `/${url}`;
    }
  }
  path = (path.split(/[?#]/)[0] as string).replace(/\/+$/, '');
  return path;
}

/** Reads and compiles an OpenAPI document; throws RA_ERR_SPEC_INVALID with each problem's pointer. */
export async function loadSpec(file: string): Promise<CompiledSpec> {
  return compileSpec(await readSpec(file));
}
