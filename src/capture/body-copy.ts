/**
 * A bounded copy of a body as it streams past: the first `limit` bytes are kept for the
 * rules, the rest is only counted. Chunks are kept by reference (no copying on the hot
 * path) and joined at most once, when a rule first asks for the bytes.
 */
export class BodyCopy {
  /** Bytes seen on the wire, kept or not. */
  size = 0;
  private kept = 0;
  private chunks: Buffer[] = [];
  private joined: Buffer | undefined;

  constructor(private readonly limit: number) {}

  /** Records a chunk that streamed past. */
  add(chunk: Buffer): void {
    this.size += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** True when the body was longer than the copy. */
  get truncated(): boolean {
    return this.size > this.kept;
  }

  /** The kept bytes, at most `limit` of them. */
  get bytes(): Buffer {
    if (this.joined === undefined) {
      this.joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
      this.chunks = [this.joined];
    }
    return this.joined;
  }

  /** A copy that already holds `bytes` (for recorded traffic and tests). */
  static of(bytes: Buffer | string, limit = Number.POSITIVE_INFINITY): BodyCopy {
    const copy = new BodyCopy(limit);
    copy.add(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    return copy;
  }
}
