import type { JudgementGate } from '../proxy/judgement-gate.js';
import type { SyncMessage } from './messages.js';

/** How long a worker waits for the primary to answer a sync before judging anyway. */
const SYNC_TIMEOUT_MS = 250;

/**
 * The worker's side of the order across processes. A worker sends each lesson the moment
 * its response head arrives, before the head goes to the client: when a request reaches
 * this worker, every lesson it must be judged with has been written to the primary. The
 * worker then asks the primary to sync, and the primary answers once every other worker
 * has answered a flush (SyncRounds): the answer travels behind the lessons passed on. A
 * request's judgement waits for that answer, which has usually come before the upstream's
 * response head. Requests of one event-loop turn share one ask.
 */
export class LessonBarrier implements JudgementGate {
  private issued = 0;
  private asked = 0;
  private passed = 0;
  private asking = false;
  private timer: NodeJS.Timeout | undefined;
  private held: Array<{ ticket: number; step: () => void }> = [];

  constructor(private readonly send: (message: SyncMessage) => void) {}

  ticket(): number {
    const ticket = ++this.issued;
    if (!this.asking) {
      this.asking = true;
      setImmediate(this.ask);
    }
    return ticket;
  }

  after(ticket: number, step: () => void): boolean {
    if (ticket <= this.passed) {
      step();
      return true;
    }
    this.held.push({ ticket, step });
    return false;
  }

  /** The primary's answer: every lesson sent before `seq`'s requests arrived is learned. */
  synced(seq: number): void {
    if (seq <= this.passed) return;
    this.passed = seq;
    clearTimeout(this.timer);
    // A later ask is still unanswered: it gets its own deadline.
    this.timer = this.passed < this.asked ? setTimeout(this.giveUp, SYNC_TIMEOUT_MS) : undefined;
    if (this.held.length === 0) return;
    const ready = this.held.filter((entry) => entry.ticket <= seq);
    this.held = this.held.filter((entry) => entry.ticket > seq);
    for (const entry of ready) entry.step();
  }

  release(): void {
    this.synced(this.issued);
  }

  private readonly ask = (): void => {
    this.asking = false;
    this.asked = this.issued;
    this.send({ type: 'restaudit:sync', seq: this.asked });
    // A primary that does not answer (gone, stuck) must not hold judgements for ever.
    this.timer ??= setTimeout(this.giveUp, SYNC_TIMEOUT_MS);
  };

  /** No answer for SYNC_TIMEOUT_MS: judges what was asked about without the primary's word. */
  private readonly giveUp = (): void => {
    this.timer = undefined;
    this.synced(this.asked);
  };
}
