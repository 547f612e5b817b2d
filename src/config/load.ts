import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { errnoWords } from '../errno-words.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

/** Values that come from flags or env vars, and where each came from (for error messages). */
export interface Override {
  readonly key: 'target' | 'listen' | 'admin' | 'workers' | 'spec' | 'adminToken';
  readonly value: string;
  /** `--target`, `RESTAUDIT_TARGET`, ... */
  readonly source: string;
}

/** Where each key path of a config file's value starts (offsets into its text), for problems in file order. */
const positions = new WeakMap<object, (path: readonly PropertyKey[]) => number>();

/**
 * Reads a config file into a plain value; throws RA_ERR_CONFIG_READ. A `.json` file is
 * strict JSON; anything else is YAML 1.2. A syntax error names `file:line:column`.
 */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new RestauditError(ERROR_CODES.configRead, [`${file}: ${errnoWords(error)}`]);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter: lines, uniqueKeys: true });
  if (/\.json$/i.test(file)) {
    try {
      JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const at = /at position (\d+)/.exec(message);
      const where = at === null ? '' : `:${place(lines, text, Number(at[1]))}`;
      throw new RestauditError(ERROR_CODES.configRead, [`${file}${where}: not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`]);
    }
  }
  const error = document.errors[0];
  if (error !== undefined) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw new RestauditError(ERROR_CODES.configRead, [`${file}:${line}:${col}: ${error.message.split('\n')[0] ?? 'parse error'}`]);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // An alias bomb (billion laughs): refused before it grows.
    throw new RestauditError(ERROR_CODES.configRead, [`${file}: ${(error as Error).message}`]);
  }
  if (value !== null && typeof value === 'object') {
    positions.set(value, (path) => {
      let node: unknown = document.contents;
      let offset = Number.MAX_SAFE_INTEGER;
      for (const key of path) {
        if (!isMap(node) && !isSeq(node)) break;
        const next: unknown = node.get(key, true);
        if (next === undefined) break;
        node = next;
        offset = (node as YamlNode).range?.[0] ?? offset;
      }
      return offset;
    });
  }
  return value;
}

function place(lines: LineCounter, text: string, position: number): string {
  const { line, col } = lines.linePos(Math.min(position, text.length));
  return `${line}:${col}`;
}

/**
 * Validates a whole configuration once: the file's content with flags and env vars laid
 * over it (flag > env > file > default). Returns a frozen Config, or throws
 * RA_ERR_CONFIG_INVALID naming every problem with its key path.
 */
export function resolveConfig(fileValue: unknown, overrides: readonly Override[] = [], file?: string): Config {
  if (fileValue === null || typeof fileValue !== 'object' || Array.isArray(fileValue)) {
    throw new RestauditError(ERROR_CODES.configInvalid, [`${file ?? 'config'}: expected a mapping of keys at the top level`]);
  }
  const raw: Record<string, unknown> = { ...(fileValue as Record<string, unknown>) };
  const sources = new Map<string, string>();
  for (const override of overrides) {
    raw[override.key] = override.value;
    sources.set(override.key, override.source);
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    // In file order: problems read top to bottom like the file (flags and env vars first).
    const at = positions.get(fileValue);
    const offset = (path: readonly PropertyKey[]): number => (sources.has(String(path[0])) ? -1 : (at?.(path) ?? 0));
    const problems = result.error.issues
      .flatMap((issue): z.core.$ZodIssue[] => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ ...issue, keys: [key] })) : [issue]))
      .map((issue, index) => ({ issue, index, offset: offset(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path) }))
      .sort((a, b) => a.offset - b.offset || a.index - b.index);
    throw new RestauditError(ERROR_CODES.configInvalid, problems.flatMap(({ issue }) => describeIssue(issue, sources)));
  }
  const config = result.data;
  // A spec named in a config file is found beside it; one from a flag or env var, from the working directory.
  if (config.spec !== undefined && file !== undefined && !sources.has('spec')) config.spec = resolve(dirname(file), config.spec);
  return deepFreeze(config);
}

/** Keys whose values never appear in an error message. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['adminToken']);

function describeIssue(issue: z.core.$ZodIssue, sources: ReadonlyMap<string, string>): string[] {
  const at = formatPath(issue.path);
  const source = typeof issue.path[0] === 'string' ? sources.get(issue.path[0]) : undefined;
  const from = source === undefined ? '' : ` (from ${source})`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const what = issue.path.length === 1 && issue.path[0] === 'rules' ? 'unknown rule id (see `restaudit rules`)' : 'unknown key';
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${what}`);
    }
    case 'invalid_type':
      if (issue.input === undefined) return [`${at}: is required`];
      // A secret is never echoed, not even a mistyped one.
      if (SECRET_KEYS.has(String(issue.path[0]))) return [`${at}: expected ${issue.expected}${from}`];
      return [`${at}: expected ${issue.expected}, got ${describe(issue.input)}${from}`];
    default:
      return [`${at}: ${issue.message}${from}`];
  }
}

/** `['rules', 'x', 'ignoreRoutes', 0]` → `rules.x.ignoreRoutes[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** Splits `HOST:PORT` (IPv6 in brackets) into what `server.listen` takes. */
export function splitHostPort(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(value.slice(colon + 1)) };
}
