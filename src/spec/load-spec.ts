import $RefParser from '@apidevtools/json-schema-ref-parser';
import { ERROR_CODES, RestauditError } from '../errors.js';

/** An OpenAPI document read whole: external `$ref`s inlined, internal ones kept. */
export interface SpecDocument {
  readonly file: string;
  /** `3.0` or `3.1`: which JSON Schema dialect its schemas speak. */
  readonly version: '3.0' | '3.1';
  readonly document: Readonly<Record<string, unknown>>;
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `['paths', '/pets', 'get']` → `#/paths/~1pets/get` (RFC 6901). */
export function pointerOf(path: readonly (string | number)[]): string {
  return `#${path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}

/** The node a local `#/...` pointer names in the document, or undefined. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined;
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/').slice(1)) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Json)[part];
  }
  return node;
}

/**
 * Follows `$ref`s (local ones, all that is left after bundling) from a node to what it
 * names, with the pointer of where it ends. Undefined for a dangling or circular chain.
 */
export function deref(document: unknown, node: unknown, pointer: string): { node: unknown; pointer: string } | undefined {
  let current = node;
  let at = pointer;
  for (let hops = 0; hops < 16; hops++) {
    if (!isObject(current) || typeof current.$ref !== 'string') return { node: current, pointer: at };
    at = current.$ref;
    current = resolvePointer(document, at);
    if (current === undefined) return undefined;
  }
  return undefined;
}

/**
 * Reads an OpenAPI 3.0/3.1 document (YAML or JSON) and inlines the files its `$ref`s name,
 * relative to it. Remote (http) references are not fetched. Throws RA_ERR_SPEC_INVALID
 * with each problem and its JSON pointer: an unreadable file, a dangling `$ref`, Swagger 2.0,
 * an unsupported version.
 */
export async function readSpec(file: string): Promise<SpecDocument> {
  let bundled: unknown;
  try {
    bundled = await $RefParser.bundle(file, { continueOnError: true, resolve: { http: false } });
  } catch (error) {
    throw new RestauditError(ERROR_CODES.specInvalid, refProblems(file, error));
  }
  const problems: string[] = [];
  const say = (path: readonly (string | number)[], problem: string): void => {
    problems.push(`spec ${file}: ${path.length === 0 ? '(top level)' : pointerOf(path)}: ${problem}`);
  };
  if (!isObject(bundled)) {
    say([], 'expected an OpenAPI document (a mapping with openapi, info and paths)');
    throw new RestauditError(ERROR_CODES.specInvalid, problems);
  }
  if (bundled.swagger !== undefined) {
    say(['swagger'], `Swagger ${JSON.stringify(bundled.swagger)} is not supported: convert the document to OpenAPI 3 (e.g. with swagger2openapi)`);
    throw new RestauditError(ERROR_CODES.specInvalid, problems);
  }
  const version = typeof bundled.openapi === 'string' ? /^3\.([01])\.\d+(?:-[\w.]+)?$/.exec(bundled.openapi) : null;
  if (version === null) {
    say(['openapi'], `expected an OpenAPI version 3.0.x or 3.1.x, got ${bundled.openapi === undefined ? 'none' : JSON.stringify(bundled.openapi)}`);
    throw new RestauditError(ERROR_CODES.specInvalid, problems);
  }
  return { file, version: version[1] === '0' ? '3.0' : '3.1', document: bundled };
}

function refProblems(file: string, error: unknown): string[] {
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = ((error as Error).message || String(error)).split('\n')[0] as string;
    return [`spec ${file}: ${code === 'ENOENT' || code === 'EISDIR' ? code : message}`];
  }
  return errors.slice(0, 50).map((each: { message?: string; path?: (string | number)[] | null; source?: string }) => {
    const where = each.path === null || each.path === undefined || each.path.length === 0 ? '(top level)' : pointerOf(each.path);
    const source = each.source !== undefined && !each.source.endsWith(file) ? ` (in ${each.source})` : '';
    return `spec ${file}: ${where}: ${(each.message ?? 'unreadable').split('\n')[0]}${source}`;
  });
}
