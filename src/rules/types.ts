import type { BodyView } from '../capture/body-view.js';
import type { Exchange } from '../capture/exchange.js';
import type { MemoryReader } from '../memory/exchange-memory.js';
import type { SpecContext } from '../spec/spec-context.js';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What an exchange showed, as data: evidence is safe to log (no credential values). */
export type Evidence = Readonly<Record<string, unknown>>;

/** A rule's verdict on one exchange: what was seen, what was expected, and the proof. */
export interface Verdict {
  /** One sentence: what was seen and what was expected. */
  readonly message: string;
  readonly evidence: Evidence;
}

/** A violation, once the engine has attached the rule's id and effective severity. */
export interface Finding extends Verdict {
  readonly rule: string;
  readonly severity: Severity;
}

/** Settings that rules read, compiled once from the validated config. */
export interface RuleSettings {
  /** Expected 2xx statuses per method for `unexpected-success-status`. */
  readonly successStatuses: ReadonlyMap<string, ReadonlySet<number>>;
}

/** Everything a rule may read besides the exchange itself. Rules never write to it. */
export interface RuleContext {
  /** Decoded views of the request body (Content-Encoding undone, parsed on demand, once). */
  readonly request: BodyView;
  /** Decoded views of the response body. */
  readonly response: BodyView;
  readonly settings: RuleSettings;
  /** Earlier exchanges, for the cross-exchange rules: read-only. */
  readonly memory: MemoryReader;
  /** The path a 201's Location names on this origin (resolved, compared by path), if any. */
  readonly location: string | undefined;
  /** What the spec says about this exchange; undefined without a spec (`--spec`). */
  readonly spec: SpecContext | undefined;
}

/**
 * A rule: a pure, synchronous function of one exchange. It never throws, never does I/O
 * and returns `undefined` when the exchange is fine.
 */
export type Check = (exchange: Exchange, context: RuleContext) => Verdict | undefined;

export interface RuleDefinition {
  /** The fixed public id (`../shared/CONTRACT.md`). */
  readonly id: string;
  readonly severity: Severity;
  readonly enabledByDefault: boolean;
  /** One line: what fires it. */
  readonly summary: string;
  /** Where the expectation comes from (RFC section). */
  readonly reference: string;
  /** `exchange`: judged from one exchange; `memory`: needs earlier exchanges. */
  readonly scope: 'exchange' | 'memory';
  /** True for the rules that judge against a spec: absent from the engine without one. */
  readonly requiresSpec?: boolean;
  readonly check: Check;
}
