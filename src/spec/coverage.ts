import type { SpecOperation } from './types.js';

/** The most undocumented operations remembered, and the bytes their names may take. */
export const MAX_UNDOCUMENTED = 200;
export const MAX_UNDOCUMENTED_BYTES = 32 * 1024;
/** The longest name an undocumented operation keeps (`METHOD route`). */
const MAX_NAME = 200;

export interface CoverageReport {
  readonly spec: string;
  readonly operations: { readonly documented: number; readonly seen: number; readonly unseen: number };
  /** Documented operations traffic exercised, with how often and the statuses seen. */
  readonly seen: readonly { operation: string; operationId?: string; exchanges: number; statuses: Record<string, number> }[];
  /** Documented operations no traffic has exercised yet. */
  readonly unseen: readonly { operation: string; operationId?: string }[];
  /** Methods and routes the spec does not document that answered other than 404/405. */
  readonly undocumented: readonly { operation: string; exchanges: number; statuses: Record<string, number> }[];
  /** Undocumented operations left out because the list was full (by count or bytes). */
  readonly undocumentedDropped: number;
}

interface Tally {
  exchanges: number;
  readonly statuses: Map<number, number>;
}

function tally(into: Tally, status: number): void {
  into.exchanges++;
  // Statuses per operation are few (at most 500 distinct codes): bounded by the protocol.
  into.statuses.set(status, (into.statuses.get(status) ?? 0) + 1);
}

function add(into: Tally, exchanges: number, statuses: Record<string, number>): void {
  into.exchanges += exchanges;
  for (const [status, count] of Object.entries(statuses)) into.statuses.set(Number(status), (into.statuses.get(Number(status)) ?? 0) + count);
}

function statusesOf(t: Tally): Record<string, number> {
  return Object.fromEntries([...t.statuses].sort((a, b) => a[0] - b[0]));
}

/**
 * Which documented operations traffic has exercised since start, and which undocumented
 * ones it hit. Documented operations are bounded by the document; undocumented names come
 * from clients, so that list is bounded by count and by bytes, and counts what it drops.
 */
export class SpecCoverage {
  private readonly seen = new Map<SpecOperation, Tally>();
  private readonly undocumented = new Map<string, Tally>();
  private undocumentedBytes = 0;
  private dropped = 0;

  constructor(
    private readonly file: string,
    private readonly operations: readonly SpecOperation[],
  ) {}

  /** An exchange the documented operation answered. */
  exercised(operation: SpecOperation, status: number): void {
    tally(this.seenTally(operation), status);
  }

  /** An exchange no documented operation describes, answered other than 404/405. */
  hitUndocumented(method: string, route: string, status: number): void {
    const t = this.undocumentedTally(`${method} ${route}`.slice(0, MAX_NAME));
    if (t === undefined) this.dropped++;
    else tally(t, status);
  }

  /**
   * Adds what another process counted (`--workers`: the primary merges its workers'
   * reports). Operations are matched by name; undocumented ones stay within the same bounds.
   */
  absorb(report: CoverageReport): void {
    const byName = new Map(this.operations.map((operation) => [operation.name, operation]));
    for (const entry of report.seen) {
      const operation = byName.get(entry.operation);
      if (operation !== undefined) add(this.seenTally(operation), entry.exchanges, entry.statuses);
    }
    for (const entry of report.undocumented) {
      const t = this.undocumentedTally(entry.operation.slice(0, MAX_NAME));
      if (t === undefined) this.dropped += entry.exchanges;
      else add(t, entry.exchanges, entry.statuses);
    }
    this.dropped += report.undocumentedDropped;
  }

  private seenTally(operation: SpecOperation): Tally {
    let t = this.seen.get(operation);
    if (t === undefined) {
      t = { exchanges: 0, statuses: new Map() };
      this.seen.set(operation, t);
    }
    return t;
  }

  /** The tally of an undocumented operation; undefined when the list is full (by count or bytes). */
  private undocumentedTally(name: string): Tally | undefined {
    let t = this.undocumented.get(name);
    if (t === undefined) {
      const bytes = Buffer.byteLength(name) + 64;
      if (this.undocumented.size >= MAX_UNDOCUMENTED || this.undocumentedBytes + bytes > MAX_UNDOCUMENTED_BYTES) return undefined;
      this.undocumentedBytes += bytes;
      t = { exchanges: 0, statuses: new Map() };
      this.undocumented.set(name, t);
    }
    return t;
  }

  /** Documented operations exercised so far. */
  get seenCount(): number {
    return this.seen.size;
  }

  get documentedCount(): number {
    return this.operations.length;
  }

  report(): CoverageReport {
    const seen = [];
    const unseen = [];
    for (const operation of this.operations) {
      const t = this.seen.get(operation);
      const id = operation.operationId === undefined ? {} : { operationId: operation.operationId };
      if (t === undefined) unseen.push({ operation: operation.name, ...id });
      else seen.push({ operation: operation.name, ...id, exchanges: t.exchanges, statuses: statusesOf(t) });
    }
    const undocumented = [...this.undocumented].map(([operation, t]) => ({ operation, exchanges: t.exchanges, statuses: statusesOf(t) }));
    undocumented.sort((a, b) => b.exchanges - a.exchanges);
    return {
      spec: this.file,
      operations: { documented: this.operations.length, seen: seen.length, unseen: unseen.length },
      seen,
      unseen,
      undocumented,
      undocumentedDropped: this.dropped,
    };
  }
}
