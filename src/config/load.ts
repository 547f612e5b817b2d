import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ERROR_CODES, RestauditError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

/** Values that come from flags or env vars, and where each came from (for error messages). */
export interface Override {
  readonly key: 'target' | 'listen' | 'admin' | 'workers' | 'spec' | 'adminToken';
  readonly value: string;
  /** `--target`, `RESTAUDIT_TARGET`, ... */
  readonly source: string;
}

/** Reads a YAML or JSON config file into a plain value; throws RA_ERR_CONFIG_READ. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RestauditError(ERROR_CODES.configRead, [`config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  try {
    // YAML 1.2 is a superset of JSON: one parser reads both.
    const value: unknown = parseYaml(text, { prettyErrors: false });
    return value ?? {};
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'parse error';
    throw new RestauditError(ERROR_CODES.configRead, [`config ${file}: ${message}`]);
  }
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
    throw new RestauditError(ERROR_CODES.configInvalid, result.error.issues.flatMap((issue) => describeIssue(issue, sources)));
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
