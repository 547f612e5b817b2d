import type { IncomingHttpHeaders } from 'node:http';
import { maskJson, maskText } from './masking.js';
import type { Remembered } from '../memory/exchange-memory.js';
import type { RuleContext } from './types.js';

/** How much of a body evidence may quote. */
export const EXCERPT_CHARS = 200;

/**
 * The named headers of a message, as evidence. Callers name the headers a rule is about;
 * every finding is masked as a whole before it is recorded (finding-masker.ts).
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
 * At most 200 characters of a body for evidence, masked before it is cut (masking.ts): JSON
 * structurally when it parses (secret-named members at any depth), as text otherwise. The
 * finding masks its evidence once more as a whole; masking is idempotent.
 */
export function excerpt(text: string | undefined, parsed?: unknown): string | undefined {
  if (text === undefined || text.length === 0) return undefined;
  const masked = parsed !== undefined && typeof parsed === 'object' && parsed !== null
    ? JSON.stringify(maskJson(parsed))
    : maskText(text.length > EXCERPT_CHARS * 4 ? text.slice(0, EXCERPT_CHARS * 4) : text);
  return masked.length > EXCERPT_CHARS ? `${masked.slice(0, EXCERPT_CHARS - 1)}…` : masked;
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
