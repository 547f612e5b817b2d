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

/** The bytes the ring may hold by default (its records as JSON). */
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/** A record serialised once, when it was pushed: what `/violations` sends, and all that is kept. */
interface Slot {
  readonly json: string;
}

/**
 * The most recent violations, in a ring bounded by count and by bytes: memory never grows
 * with traffic. Each record is serialised once, when pushed, and only that JSON is kept,
 * so answering `/violations` joins strings instead of serialising a thousand objects.
 */
export class ViolationBuffer {
  private readonly ring: (Slot | undefined)[];
  private next = 0;
  private count = 0;
  private held = 0;
  private readonly listeners = new Set<(record: ViolationRecord) => void>();

  constructor(
    readonly capacity = 1000,
    readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {
    this.ring = new Array<Slot | undefined>(capacity);
  }

  push(record: ViolationRecord): void {
    const json = JSON.stringify(record);
    const old = this.ring[this.next];
    if (old !== undefined) this.held -= old.json.length;
    // Only the JSON is kept: it holds no slice of a long request string alive.
    this.ring[this.next] = { json };
    this.held += json.length;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    // Over the byte bound: the oldest go first.
    while (this.held > this.maxBytes && this.count > 1) {
      const oldest = (this.next - this.count + this.capacity) % this.capacity;
      this.held -= (this.ring[oldest] as Slot).json.length;
      this.ring[oldest] = undefined;
      this.count--;
    }
    for (const listener of this.listeners) listener(record);
  }

  /** Calls `listener` with each record pushed from now on (the live page's `/events`); returns what stops it. */
  subscribe(listener: (record: ViolationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Newest first, at most `limit` (parsed again from their JSON: an admin request, not the hot path). */
  recent(limit = this.capacity): ViolationRecord[] {
    return this.slots(limit).map((slot) => JSON.parse(slot.json) as ViolationRecord);
  }

  /** `{"violations":[...]}`, newest first, at most `limit`: the `/violations` answer. */
  recentJson(limit = this.capacity): string {
    return `{"violations":[${this.slots(limit).map((slot) => slot.json).join(',')}]}`;
  }

  get size(): number {
    return this.count;
  }

  /** Characters of JSON held (about the bytes; within maxBytes). */
  get bytes(): number {
    return this.held;
  }

  private slots(limit: number): Slot[] {
    const n = Math.min(Math.max(0, limit), this.count);
    const out: Slot[] = [];
    for (let i = 1; i <= n; i++) {
      const slot = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (slot !== undefined) out.push(slot);
    }
    return out;
  }
}
