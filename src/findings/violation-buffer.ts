/** A violation as the log line carries it, plus its time: what `/violations` lists. */
export interface ViolationRecord {
  readonly time: number;
  readonly rule: string;
  readonly severity: string;
  readonly method: string;
  /** The request's Host (in `audit`, the entry URL's host): memory is per host. */
  readonly host: string;
  readonly path: string;
  readonly route: string;
  readonly status: number;
  readonly requestId: string;
  readonly durationMs: number;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** The most recent violations, in a fixed-size ring: memory never grows with traffic. */
export class ViolationBuffer {
  private readonly ring: (ViolationRecord | undefined)[];
  private next = 0;
  private count = 0;
  private readonly listeners = new Set<(record: ViolationRecord) => void>();

  constructor(readonly capacity = 1000) {
    this.ring = new Array<ViolationRecord | undefined>(capacity);
  }

  push(record: ViolationRecord): void {
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    for (const listener of this.listeners) listener(record);
  }

  /** Calls `listener` with each record pushed from now on (the live page's `/events`); returns what stops it. */
  subscribe(listener: (record: ViolationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Newest first, at most `limit`. */
  recent(limit = this.capacity): ViolationRecord[] {
    const n = Math.min(Math.max(0, limit), this.count);
    const out: ViolationRecord[] = [];
    for (let i = 1; i <= n; i++) {
      const record = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  get size(): number {
    return this.count;
  }
}
