import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import type { Config } from '../config/schema.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import type { AuditCore } from '../service.js';
import type { Lesson } from '../memory/exchange-memory.js';
import { isLessonsMessage, isViolationsRequest, WORKER_CONFIG_ENV, type LessonsMessage, type ViolationsResponse } from './messages.js';

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
 * Collects this worker's lessons and sends them to the primary once the current turn of
 * the event loop is done (setImmediate): lessons of exchanges handled in the same turn go
 * in one message, and none waits for a timer. A lesson is taken at its response head,
 * before the head goes to the client, so it is on its way before the client can act on it.
 */
export class LessonSender {
  private pending: Lesson[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  readonly share = (lesson: Lesson): void => {
    this.pending.push(lesson);
    this.scheduled ??= setImmediate(this.flush);
  };

  readonly flush = (): void => {
    clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.length === 0 || process.connected !== true) return;
    const message: LessonsMessage = { type: 'restaudit:lessons', lessons: this.pending };
    this.pending = [];
    process.send?.(message);
  };
}

/**
 * Answers the primary: its requests for recent violations, and the lessons other workers
 * shared. Returns what stops answering.
 */
export function answerPrimary(core: AuditCore): () => void {
  const onMessage = (message: unknown): void => {
    if (isLessonsMessage(message)) {
      for (const lesson of message.lessons) core.learn(lesson);
    } else if (isViolationsRequest(message)) {
      const response: ViolationsResponse = { type: 'restaudit:violations', requestId: message.requestId, violations: core.violations.recent(message.limit) };
      process.send?.(response);
    }
  };
  process.on('message', onMessage);
  return () => process.removeListener('message', onMessage);
}
