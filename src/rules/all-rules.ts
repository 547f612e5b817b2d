import { EXCHANGE_RULES } from './catalog.js';
import { MEMORY_RULES } from './memory-rules.js';
import { SPEC_RULES } from './spec-rules.js';
import type { RuleDefinition } from './types.js';

/** Every built-in rule, single-exchange first, then cross-exchange, then spec rules: the contract's order. */
export const ALL_RULES: readonly RuleDefinition[] = [...EXCHANGE_RULES, ...MEMORY_RULES, ...SPEC_RULES];
