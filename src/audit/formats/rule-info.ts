import type { Config } from '../../config/schema.js';
import { ALL_RULES } from '../../rules/all-rules.js';
import type { Severity } from '../../rules/types.js';

/** What outputs say about a rule: its summary, the RFC section it rests on, its level as configured. */
export interface RuleInfo {
  readonly id: string;
  readonly summary: string;
  readonly reference: string;
  readonly severity: Severity;
}

/** Every rule a run may report, built-in and custom, with the severities the config gives them. */
export function rulesOf(config: Config): Map<string, RuleInfo> {
  const rules = new Map<string, RuleInfo>();
  const configured = config.rules as Readonly<Record<string, { severity?: Severity } | undefined>>;
  for (const rule of ALL_RULES) {
    rules.set(rule.id, { id: rule.id, summary: rule.summary, reference: rule.reference, severity: configured[rule.id]?.severity ?? rule.severity });
  }
  for (const custom of config.custom) {
    rules.set(custom.id, { id: custom.id, summary: custom.message ?? `custom rule ${custom.id}`, reference: 'custom rule (config `custom:`)', severity: custom.severity });
  }
  return rules;
}
