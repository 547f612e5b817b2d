import type { Exchange } from '../capture/exchange.js';
import type { Finding, Severity } from '../rules/types.js';
import { fingerprintOf, type FingerprintParts } from './fingerprint.js';
import type { Place } from './sources.js';

/** A finding in recorded traffic, with the exchange it was found in. */
export interface RecordedFinding extends Finding {
  readonly entry: number;
  readonly line?: number;
  readonly requestId: string;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly route: string;
  readonly status: number;
  readonly fingerprint: string;
  /** True when `--baseline` holds its fingerprint: known, neither failing nor new. */
  readonly inBaseline: boolean;
}

/** Every occurrence of one fingerprint: the first one in full, and how many there were. */
export interface FindingGroup extends FingerprintParts {
  readonly fingerprint: string;
  readonly severity: Severity;
  readonly first: RecordedFinding;
  count: number;
}

/** Findings listed one by one in `--format json`; beyond it only counted (the groups stay whole). */
export const MAX_LISTED_FINDINGS = 10_000;

export const SEVERITY_RANK: Readonly<Record<string, number>> = { info: 1, warning: 2, error: 3, none: 4 };

/**
 * What an audit run found, bounded: one group per fingerprint (rule, method, route, host),
 * and the first MAX_LISTED_FINDINGS occurrences in full.
 */
export class AuditReport {
  readonly groups = new Map<string, FindingGroup>();
  readonly listed: RecordedFinding[] = [];
  entries = 0;
  skipped = 0;
  readonly skippedBy = new Map<string, number>();
  findings = 0;
  newFindings = 0;
  /** Findings not in the baseline whose severity reaches `--fail-on`. */
  failing = 0;

  constructor(
    private readonly baseline: ReadonlySet<string>,
    private readonly failRank: number,
  ) {}

  skip(reason: string): void {
    this.skipped++;
    this.skippedBy.set(reason, (this.skippedBy.get(reason) ?? 0) + 1);
  }

  /** Records what the pipeline found in one exchange; returns the recorded findings. */
  add(exchange: Exchange, findings: readonly Finding[], place: Place): RecordedFinding[] {
    const out: RecordedFinding[] = [];
    for (const finding of findings) {
      const fingerprint = fingerprintOf({ rule: finding.rule, method: exchange.method, route: exchange.route, host: exchange.host });
      const inBaseline = this.baseline.has(fingerprint);
      const recorded: RecordedFinding = {
        ...finding,
        entry: place.entry,
        ...(place.line === undefined ? {} : { line: place.line }),
        requestId: exchange.id,
        method: exchange.method,
        host: exchange.host,
        path: exchange.path,
        route: exchange.route,
        status: exchange.status,
        fingerprint,
        inBaseline,
      };
      this.findings++;
      if (!inBaseline) {
        this.newFindings++;
        if ((SEVERITY_RANK[finding.severity] ?? 0) >= this.failRank) this.failing++;
      }
      if (this.listed.length < MAX_LISTED_FINDINGS) this.listed.push(recorded);
      const group = this.groups.get(fingerprint);
      if (group === undefined) {
        this.groups.set(fingerprint, { fingerprint, rule: finding.rule, method: exchange.method, route: exchange.route, host: exchange.host, severity: finding.severity, first: recorded, count: 1 });
      } else group.count++;
      out.push(recorded);
    }
    return out;
  }

  /** `audited N entries (M skipped), K findings`, with the count by severity and what is new. */
  summary(baselineGiven: boolean): string {
    const bySeverity = new Map<string, number>();
    for (const finding of this.groupsFindings()) bySeverity.set(finding.severity, (bySeverity.get(finding.severity) ?? 0) + finding.count);
    const counts = ['error', 'warning', 'info'].filter((s) => bySeverity.has(s)).map((s) => `${bySeverity.get(s) ?? 0} ${s}`);
    const reasons = [...this.skippedBy].map(([reason, n]) => `${n} ${reason}`).join(', ');
    return (
      `audited ${this.entries} entr${this.entries === 1 ? 'y' : 'ies'} (${this.skipped} skipped${reasons === '' ? '' : `: ${reasons}`}), ` +
      `${this.findings} finding${this.findings === 1 ? '' : 's'}${counts.length > 0 ? ` (${counts.join(', ')})` : ''}` +
      (baselineGiven ? `, ${this.newFindings} new since the baseline` : '')
    );
  }

  private *groupsFindings(): Generator<{ severity: string; count: number }> {
    yield* this.groups.values();
  }
}
