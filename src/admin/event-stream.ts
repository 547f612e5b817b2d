import type { ServerResponse } from 'node:http';
import type { ViolationRecord } from '../findings/violation-buffer.js';

/**
 * Where violations come from: subscribe with what to call for each one, and for a gap (some
 * were not delivered: a worker's batch overflowed); returns what unsubscribes. Subscribed
 * only while someone watches, so nothing is forwarded for nobody.
 */
export type ViolationSource = (onViolation: (record: ViolationRecord) => void, onGap: () => void) => () => void;

export interface EventStreamLimits {
  /** Concurrent `/events` readers; beyond it, 503. */
  readonly maxClients: number;
  /** Bytes queued for one reader; a reader that falls further behind is disconnected. */
  readonly maxQueuedBytes: number;
  /** An event larger than this is sent without its evidence (which `/violations` has). */
  readonly maxEventBytes: number;
  /** A comment line this often keeps idle connections (and proxies in between) open. */
  readonly heartbeatMs: number;
}

export const EVENT_STREAM_LIMITS: EventStreamLimits = { maxClients: 16, maxQueuedBytes: 1024 * 1024, maxEventBytes: 16 * 1024, heartbeatMs: 15_000 };

/**
 * `GET /events`: server-sent events, one `violation` event per violation. Every reader is
 * bounded: a slow one whose socket buffer backs up past `maxQueuedBytes` is cut off (its
 * EventSource reconnects and the page reloads what it missed), so memory never grows with a
 * reader that does not read. A `resync` event tells readers that violations were skipped.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ViolationSource,
    private readonly limits: EventStreamLimits = EVENT_STREAM_LIMITS,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  accept(res: ServerResponse): void {
    if (this.clients.size >= this.limits.maxClients) {
      const body = `too many /events readers (at most ${this.limits.maxClients})\n`;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': '10' });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    res.once('close', () => this.remove(res));
    if (this.clients.size === 1) {
      this.unsubscribe = this.source(this.onViolation, this.onGap);
      this.heartbeat = setInterval(() => this.broadcast(': ping\n\n'), this.limits.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Ends every reader (shutdown). */
  close(): void {
    for (const res of [...this.clients]) res.destroy();
  }

  private readonly onViolation = (record: ViolationRecord): void => {
    let data = JSON.stringify(record);
    if (Buffer.byteLength(data) > this.limits.maxEventBytes) {
      data = JSON.stringify({ ...record, message: record.message.slice(0, 1000), evidence: { omitted: `larger than ${this.limits.maxEventBytes} bytes: see /violations` } });
    }
    this.broadcast(`event: violation\ndata: ${data}\n\n`);
  };

  private readonly onGap = (): void => {
    this.broadcast('event: resync\ndata: {}\n\n');
  };

  private broadcast(frame: string): void {
    for (const res of this.clients) {
      if (res.writableLength + frame.length > this.limits.maxQueuedBytes) {
        // A reader this far behind is not reading: cut it off rather than queue for it.
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }

  private remove(res: ServerResponse): void {
    if (!this.clients.delete(res) || this.clients.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
