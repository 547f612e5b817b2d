import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import type { Config } from '../config/schema.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import type { AuditCore } from '../service.js';
import type { Lesson } from '../memory/exchange-memory.js';
import { isLessonMessage, isViolationsRequest, WORKER_CONFIG_ENV, type LessonMessage, type ViolationsResponse } from './messages.js';

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

/** Sends a lesson of this worker's memory to the primary, which passes it to the others. */
export function shareLesson(lesson: Lesson): void {
  const message: LessonMessage = { type: 'restaudit:lesson', lesson };
  process.send?.(message);
}

/**
 * Answers the primary: its requests for recent violations, and the lessons other workers
 * shared. Returns what stops answering.
 */
export function answerPrimary(core: AuditCore): () => void {
  const onMessage = (message: unknown): void => {
    if (isLessonMessage(message)) {
      core.learn(message.lesson);
    } else if (isViolationsRequest(message)) {
      const response: ViolationsResponse = { type: 'restaudit:violations', requestId: message.requestId, violations: core.violations.recent(message.limit) };
      process.send?.(response);
    }
  };
  process.on('message', onMessage);
  return () => process.removeListener('message', onMessage);
}
