import type { IncomingHttpHeaders } from 'node:http';
import type { Remembered } from '../memory/exchange-memory.js';
import type { RuleContext } from './types.js';

/** How much of a body evidence may quote. */
export const EXCERPT_CHARS = 200;

const SECRET_NAME = /token|secret|password|passwd|pwd|api[-_]?key|authorization|session|cookie|credential|private[-_]?key/i;

/**
 * The named headers of a message, as evidence. Callers name the headers a rule is about;
 * credential headers are additionally removed by the logger's redaction.
 */
export function pickHeaders(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string | string[]> {
  const picked: Record<string, string | string[]> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * At most 200 characters of a body for evidence, with the values of members whose names
 * look like secrets masked. JSON is masked structurally when it parses, textually otherwise.
 */
export function excerpt(text: string | undefined, parsed?: unknown): string | undefined {
  if (text === undefined || text.length === 0) return undefined;
  const masked = parsed !== undefined && typeof parsed === 'object' && parsed !== null
    ? JSON.stringify(maskValue(parsed, 0))
    : maskText(text.length > EXCERPT_CHARS * 4 ? text.slice(0, EXCERPT_CHARS * 4) : text);
  return masked.length > EXCERPT_CHARS ? `${masked.slice(0, EXCERPT_CHARS - 1)}…` : masked;
}

function maskValue(value: unknown, depth: number): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => maskValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, member] of Object.entries(value)) {
    if (++count > 50) break;
    out[key] = SECRET_NAME.test(key) ? '***' : maskValue(member, depth + 1);
  }
  return out;
}

// "password": "hunter2", password=hunter2, token: abc — in text that did not parse as JSON.
const SECRET_IN_TEXT =
  /("?[\w-]*(?:token|secret|password|passwd|pwd|api[-_]?key|authorization|session|cookie|credential)[\w-]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"?|[^\s,;&}"]+)/gi;

function maskText(text: string): string {
  return text.replace(SECRET_IN_TEXT, (_match, name: string, secret: string) => `${name}${secret.startsWith('"') ? '"***"' : '***'}`);
}

/** The earlier exchange a cross-exchange finding relied on, as evidence. */
export function earlier(remembered: Remembered, context: RuleContext): Record<string, unknown> {
  return {
    requestId: remembered.requestId,
    method: remembered.method,
    path: remembered.path,
    status: remembered.status,
    ageSeconds: context.memory.ageSeconds(remembered),
  };
}
