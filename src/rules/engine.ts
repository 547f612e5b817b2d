import type { BodyView } from '../capture/body-view.js';
import type { Exchange } from '../capture/exchange.js';
import type { Config, RuleOverride } from '../config/schema.js';
import type { MemoryReader } from '../memory/exchange-memory.js';
import { ALL_RULES } from './all-rules.js';
import { compileCustomRule } from './custom.js';
import { FindingMasker } from './finding-masker.js';
import { DEFAULT_SUCCESS_STATUSES } from './success-status.js';
import type { SpecContext } from '../spec/spec-context.js';
import type { Finding, RuleContext, RuleDefinition, RuleSettings, Severity } from './types.js';

/** A rule as configured: enabled (or it would not be here), its severity and ignored routes. */
interface ActiveRule {
  readonly definition: RuleDefinition;
  readonly severity: Severity;
  readonly ignored: ReadonlySet<string> | undefined;
}

/** Called when a rule throws (a bug in the rule); the exchange and the other rules go on. */
export type RuleFailure = (rule: string, error: unknown) => void;

/**
 * The rule set compiled once from the configuration: disabled rules are absent, severities
 * and ignored routes resolved. Evaluating an exchange is a loop over what is left.
 */
export class RuleEngine {
  readonly settings: RuleSettings;
  private readonly active: readonly ActiveRule[];
  private readonly masker: FindingMasker;
  /** The cross-exchange rules: judged at the response head, before memory learns from it. */
  private readonly atHead: readonly ActiveRule[];
  /** The rest: judged once the exchange is complete. */
  private readonly atEnd: readonly ActiveRule[];
  /** The rules that judge bytes seen after a bodiless response, which may come late. */
  private readonly late: readonly ActiveRule[];

  constructor(
    config: Pick<Config, 'rules' | 'custom'> & Partial<Pick<Config, 'credentials'>>,
    private readonly memory: MemoryReader,
    private readonly onFailure: RuleFailure = () => {},
    catalog: readonly RuleDefinition[] = ALL_RULES,
    /** True with a spec: the spec rules run. */
    readonly hasSpec = false,
  ) {
    this.settings = compileSettings(config);
    this.masker = new FindingMasker(config.credentials?.headers ?? []);
    const active: ActiveRule[] = [];
    for (const definition of catalog) {
      if (definition.requiresSpec === true && !hasSpec) continue;
      const override: RuleOverride | undefined = (config.rules as Readonly<Record<string, RuleOverride | undefined>>)[definition.id];
      if (!(override?.enabled ?? definition.enabledByDefault)) continue;
      active.push({
        definition,
        severity: override?.severity ?? definition.severity,
        ignored: override?.ignoreRoutes === undefined ? undefined : new Set(override.ignoreRoutes),
      });
    }
    for (const custom of config.custom) {
      const definition = compileCustomRule(custom);
      active.push({ definition, severity: definition.severity, ignored: undefined });
    }
    this.active = active;
    this.atHead = active.filter((rule) => rule.definition.scope === 'memory');
    // Spec rules first: a body they parse to validate needs no separate validating scan
    // for the JSON rules after them (the parse answers it).
    const atEnd = active.filter((rule) => rule.definition.scope !== 'memory');
    this.atEnd = [...atEnd.filter((rule) => rule.definition.requiresSpec === true), ...atEnd.filter((rule) => rule.definition.requiresSpec !== true)];
    this.late = active.filter((rule) => LATE_RULES.has(rule.definition.id));
  }

  /** The ids of the rules that run, in order. */
  get activeIds(): string[] {
    return this.active.map((rule) => rule.definition.id);
  }

  /**
   * Context for one exchange: body views decode and parse lazily, at most once.
   * @param location the path a 201's Location names on this origin, if any
   * @param spec what the spec says about the exchange (with a spec)
   */
  context(request: BodyView, response: BodyView, location: string | undefined, spec?: SpecContext): RuleContext {
    return { request, response, settings: this.settings, memory: this.memory, location, spec };
  }

  /**
   * Every finding of every active rule on one exchange; an empty array when all is well.
   * Findings come out masked (secrets by name and by form) and bounded in size.
   */
  evaluate(exchange: Exchange, context: RuleContext): Finding[] {
    return this.run(this.active, exchange, context);
  }

  /** The cross-exchange rules' findings: what the response head shows against memory. */
  evaluateHead(exchange: Exchange, context: RuleContext): Finding[] {
    return this.run(this.atHead, exchange, context);
  }

  /** The single-exchange rules' findings, once the exchange is complete. */
  evaluateEnd(exchange: Exchange, context: RuleContext): Finding[] {
    return this.run(this.atEnd, exchange, context);
  }

  /**
   * Findings about bytes that arrived after a bodiless response was judged: only the rules
   * about such bytes, and only those that have not fired on the exchange already.
   */
  evaluateLate(exchange: Exchange, context: RuleContext, fired: readonly Finding[]): Finding[] {
    const pending = this.late.filter((rule) => !fired.some((finding) => finding.rule === rule.definition.id));
    return this.run(pending, exchange, context);
  }

  private run(rules: readonly ActiveRule[], exchange: Exchange, context: RuleContext): Finding[] {
    let findings: Finding[] | undefined;
    for (const rule of rules) {
      if (rule.ignored !== undefined && (rule.ignored.has(exchange.route) || rule.ignored.has(exchange.path))) continue;
      let verdict;
      try {
        verdict = rule.definition.check(exchange, context);
      } catch (error) {
        this.onFailure(rule.definition.id, error);
        continue;
      }
      if (verdict === undefined) continue;
      // Masked here, once, before a finding reaches any output (log, /violations, audit).
      (findings ??= []).push(this.masker.mask(rule.definition.id, rule.severity, verdict));
    }
    return findings ?? NO_FINDINGS;
  }
}

/** The rules that judge bytes after a bodiless response, which may arrive after it is judged. */
const LATE_RULES: ReadonlySet<string> = new Set(['body-on-no-content', 'body-on-head']);

const NO_FINDINGS: Finding[] = [];
Object.freeze(NO_FINDINGS);

function compileSettings(config: Pick<Config, 'rules'>): RuleSettings {
  const configured = config.rules['unexpected-success-status']?.expected ?? {};
  const successStatuses = new Map<string, ReadonlySet<number>>();
  const merged: Record<string, readonly number[]> = { ...DEFAULT_SUCCESS_STATUSES, ...configured };
  for (const [method, statuses] of Object.entries(merged)) {
    successStatuses.set(method.toUpperCase(), new Set(statuses));
  }
  return { successStatuses };
}
