import { AUTH_RULES } from './auth.js';
import { BODILESS_RULES } from './bodiless.js';
import { CREATION_RULES } from './creation.js';
import { HEADER_RULES } from './headers.js';
import { PAYLOAD_RULES } from './payload.js';
import { SUCCESS_STATUS_RULES } from './success-status.js';
import type { RuleDefinition } from './types.js';

const byId = new Map(
  [...CREATION_RULES, ...SUCCESS_STATUS_RULES, ...BODILESS_RULES, ...HEADER_RULES, ...PAYLOAD_RULES, ...AUTH_RULES].map((rule) => [rule.id, rule]),
);

function rule(id: string): RuleDefinition {
  const found = byId.get(id);
  if (found === undefined) throw new Error(`no rule ${id}`);
  return found;
}

/** The single-exchange rules, in the contract's order. */
export const EXCHANGE_RULES: readonly RuleDefinition[] = [
  'post-200-without-location',
  'created-without-location',
  'server-error-on-bad-input',
  'unexpected-success-status',
  'safe-method-created',
  'body-on-no-content',
  'body-on-head',
  'unauthorized-without-www-authenticate',
  'method-not-allowed-without-allow',
  'redirect-without-location',
  'error-payload-with-success-status',
  'invalid-json-response',
  'error-not-problem-json',
  'problem-status-mismatch',
  'partial-without-content-range',
  'missing-content-type',
  'stack-trace-leak',
  'forbidden-without-credentials',
].map(rule);
