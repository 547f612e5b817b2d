import { AUTH_RULES } from './auth.js';
import { BODILESS_RULES } from './bodiless.js';
import { CREATION_RULES } from './creation.js';
import { HEADER_RULES } from './headers.js';
import { PAYLOAD_RULES } from './payload.js';
import { SUCCESS_STATUS_RULES } from './success-status.js';
import { EXCHANGE_RULE_IDS } from './ids.js';
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
export const EXCHANGE_RULES: readonly RuleDefinition[] = EXCHANGE_RULE_IDS.map(rule);
