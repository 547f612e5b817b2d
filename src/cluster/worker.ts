import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import type { Config } from '../config/schema.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import type { AuditCore } from '../service.js';
import type { Lesson } from '../memory/exchange-memory.js';
import type { ViolationRecord } from '../findings/violation-buffer.js';
import type { LessonBarrier } from './lesson-barrier.js';
import {
  isCoverageRequest,
  isFlushMessage,
  isLessonsMessage,
  isReloadMessage,
  isSyncMessage,
  isViolationsRequest,
  isWatchMessage,
  WORKER_CONFIG_ENV,
  type CoverageResponse,
  type FlushMessage,
  type LessonsMessage,
  type LiveViolationsMessage,
  type ViolationsResponse,
} from './messages.js';

/** The configuration the primary validated and handed over; never re-read from flags or files. */
export function workerConfig(env: NodeJS.ProcessEnv): Config & { target: string } {
  const text = env[WORKER_CONFIG_ENV];
  if (text === undefined) throw new RestauditError(ERROR_CODES.usage, [`a cluster worker needs ${WORKER_CONFIG_ENV}: start restaudit with --workers instead`]);
  return JSON.parse(text) as Config & { target: string };
}

/**
 * A registry whose metrics the primary can collect: prom-client answers the primary's
 * requests for the registries named in `setRegistries`, once an AggregatorRegistry exists.
 */
export function workerRegistry(): AggregatorRegistry<PrometheusContentType> {
  const registry = new AggregatorRegistry<PrometheusContentType>();
  AggregatorRegistry.setRegistries([registry]);
  return registry;
}

/**
 * Sends this worker's lessons to the primary the moment they are taught: at the response
 * head, before the head goes to the client, so a lesson is on its way before the client
 * can act on the response (see LessonBarrier for the other half).
 */
export class LessonSender {
  readonly share = (lesson: Lesson): void => {
    if (process.connected !== true) return;
    const message: LessonsMessage = { type: 'restaudit:lessons', lessons: [lesson] };
    process.send?.(message);
  };
}

/** How long violations wait to be sent to the primary together, while someone reads `/events`. */
export const LIVE_BATCH_MS = 20;
/** The most violations one batch carries; beyond it they are counted as dropped (the page reloads). */
export const LIVE_BATCH_MAX = 500;

/**
 * Sends this worker's violations to the primary as they happen, in batches, while the
 * primary says someone reads `/events`. A batch is bounded: what does not fit is counted,
 * and the primary tells the readers to reload from `/violations`.
 */
export class LiveViolationSender {
  private pending: ViolationRecord[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly core: AuditCore) {}

  watch(on: boolean): void {
    if (on && this.unsubscribe === undefined) this.unsubscribe = this.core.violations.subscribe(this.add);
    if (!on && this.unsubscribe !== undefined) {
      this.unsubscribe();
      this.unsubscribe = undefined;
      this.flush();
    }
  }

  private readonly add = (record: ViolationRecord): void => {
    if (this.pending.length < LIVE_BATCH_MAX) this.pending.push(record);
    else this.dropped++;
    this.timer ??= setTimeout(this.flush, LIVE_BATCH_MS);
  };

  readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if ((this.pending.length === 0 && this.dropped === 0) || process.connected !== true) return;
    const message: LiveViolationsMessage = { type: 'restaudit:live', violations: this.pending, dropped: this.dropped };
    this.pending = [];
    this.dropped = 0;
    process.send?.(message);
  };
}

/**
 * Answers the primary: its requests for recent violations, whether to send violations live,
 * and the lessons other workers shared. Returns what stops answering.
 */
export function answerPrimary(core: AuditCore, barrier: LessonBarrier): () => void {
  const live = new LiveViolationSender(core);
  const onMessage = (message: unknown): void => {
    if (isWatchMessage(message)) {
      live.watch(message.on);
    } else if (isLessonsMessage(message)) {
      for (const lesson of message.lessons) core.learn(lesson);
    } else if (isReloadMessage(message)) {
      core.reload(message.config);
    } else if (isSyncMessage(message, 'restaudit:synced')) {
      barrier.synced(message.seq);
    } else if (isFlushMessage(message, 'restaudit:flush')) {
      // Every lesson is sent the moment it is taught: nothing of this worker's is behind this.
      process.send?.({ type: 'restaudit:flushed', round: message.round } satisfies FlushMessage);
    } else if (isCoverageRequest(message)) {
      const response: CoverageResponse = { type: 'restaudit:coverage-report', requestId: message.requestId, report: core.coverage?.report() ?? null };
      process.send?.(response);
    } else if (isViolationsRequest(message)) {
      const response: ViolationsResponse = { type: 'restaudit:violations', requestId: message.requestId, violations: core.violations.recent(message.limit) };
      process.send?.(response);
    }
  };
  process.on('message', onMessage);
  return () => {
    process.removeListener('message', onMessage);
    live.watch(false);
  };
}
