import type { Worker } from 'node:cluster';
import type { FlushMessage, SyncMessage } from './messages.js';

interface Request {
  readonly worker: Worker;
  readonly seq: number;
}

/**
 * The primary's side of the order across processes. A worker that asks to sync is answered
 * once every other worker has answered a flush sent after the ask arrived. Each channel
 * keeps its order, so by then every lesson those workers sent before the asking worker's
 * requests arrived has reached the primary and been passed on, ahead of the answer. Asks
 * that arrive during a round wait for the next one: a round costs a message to and from
 * each worker, however many requests it covers.
 */
export class SyncRounds {
  private round = 0;
  private waiting = new Set<Worker>();
  private answering: Request[] = [];
  private next: Request[] = [];

  constructor(private readonly workers: () => Iterable<Worker>) {}

  /** A worker asked to sync (`seq`: its latest request). */
  ask(worker: Worker, seq: number): void {
    this.next.push({ worker, seq });
    if (this.waiting.size === 0 && this.answering.length === 0) this.start();
  }

  /** A worker answered the flush of `round`. */
  flushed(worker: Worker, round: number): void {
    if (round !== this.round) return;
    this.waiting.delete(worker);
    if (this.waiting.size === 0) this.finish();
  }

  /** A worker exited: it answers no flush, and is answered no sync. */
  gone(worker: Worker): void {
    this.next = this.next.filter((request) => request.worker !== worker);
    this.answering = this.answering.filter((request) => request.worker !== worker);
    if (this.waiting.delete(worker) && this.waiting.size === 0) this.finish();
  }

  private start(): void {
    this.answering = this.next;
    this.next = [];
    this.round++;
    const sole = this.answering.every((request) => request.worker === this.answering[0]?.worker) ? this.answering[0]?.worker : undefined;
    for (const worker of this.workers()) {
      if (worker === sole || !worker.isConnected() || worker.isDead()) continue;
      this.waiting.add(worker);
      worker.send({ type: 'restaudit:flush', round: this.round } satisfies FlushMessage);
    }
    if (this.waiting.size === 0) this.finish();
  }

  private finish(): void {
    const latest = new Map<Worker, number>();
    for (const { worker, seq } of this.answering) latest.set(worker, Math.max(seq, latest.get(worker) ?? 0));
    this.answering = [];
    for (const [worker, seq] of latest) if (worker.isConnected() && !worker.isDead()) worker.send({ type: 'restaudit:synced', seq } satisfies SyncMessage);
    if (this.next.length > 0) this.start();
  }
}
