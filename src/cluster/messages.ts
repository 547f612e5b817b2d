import type { Config } from '../config/schema.js';
import type { ViolationRecord } from '../findings/violation-buffer.js';
import type { Lesson } from '../memory/exchange-memory.js';
import type { CoverageReport } from '../spec/coverage.js';

/** The environment variable that hands a worker its validated configuration, as JSON. */
export const WORKER_CONFIG_ENV = 'RESTAUDIT_WORKER_CONFIG';

/**
 * What the primary asks a worker over IPC, besides prom-client's own metrics requests: its
 * most recent violations, for `/violations`.
 */
export interface ViolationsRequest {
  readonly type: 'restaudit:violations';
  readonly requestId: number;
  readonly limit: number;
}

export interface ViolationsResponse {
  readonly type: 'restaudit:violations';
  readonly requestId: number;
  readonly violations: readonly ViolationRecord[];
}

export function isViolationsRequest(message: unknown): message is ViolationsRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:violations' && typeof (message as { limit?: unknown }).limit === 'number';
}

export function isViolationsResponse(message: unknown): message is ViolationsResponse {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:violations' && Array.isArray((message as { violations?: unknown }).violations);
}

/** The primary asks a worker what of the spec its traffic exercised, for `/spec-coverage`. */
export interface CoverageRequest {
  readonly type: 'restaudit:coverage';
  readonly requestId: number;
}

export interface CoverageResponse {
  readonly type: 'restaudit:coverage-report';
  readonly requestId: number;
  /** Null when the worker has no spec. */
  readonly report: CoverageReport | null;
}

export function isCoverageRequest(message: unknown): message is CoverageRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:coverage' && typeof (message as { requestId?: unknown }).requestId === 'number';
}

export function isCoverageResponse(message: unknown): message is CoverageResponse {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:coverage-report' && typeof (message as { requestId?: unknown }).requestId === 'number';
}

/**
 * Lessons one worker's exchanges taught, sent to the primary, which passes them to every
 * other worker: guards (a DELETE, a re-creation) and rare facts (a denial, a creation, a new
 * body type) reach every worker's memory, so a worker does not judge on a history it half
 * saw. A worker sends those of one event-loop turn together, at the end of that turn.
 */
export interface LessonsMessage {
  readonly type: 'restaudit:lessons';
  readonly lessons: readonly Lesson[];
}

/** The primary re-read its configuration (SIGHUP): each worker applies it to new exchanges. */
export interface ReloadMessage {
  readonly type: 'restaudit:reload';
  readonly config: Config & { target: string };
}

export function isReloadMessage(message: unknown): message is ReloadMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:reload' && typeof (message as { config?: unknown }).config === 'object';
}

export function isLessonsMessage(message: unknown): message is LessonsMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:lessons' && Array.isArray((message as { lessons?: unknown }).lessons);
}

/**
 * A worker asks the primary to sync (`seq`: its latest request); the primary answers with the
 * same `seq` once every lesson sent before those requests arrived has been passed on.
 */
export interface SyncMessage {
  readonly type: 'restaudit:sync' | 'restaudit:synced';
  readonly seq: number;
}

export function isSyncMessage(message: unknown, type: SyncMessage['type']): message is SyncMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type && typeof (message as { seq?: unknown }).seq === 'number';
}

/** The primary asks a worker to answer (after whatever it sent before); the worker answers in kind. */
export interface FlushMessage {
  readonly type: 'restaudit:flush' | 'restaudit:flushed';
  readonly round: number;
}

export function isFlushMessage(message: unknown, type: FlushMessage['type']): message is FlushMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type && typeof (message as { round?: unknown }).round === 'number';
}

/**
 * The primary tells each worker whether anyone reads `/events`: only then does a worker
 * send its violations as they happen (otherwise they would cross IPC for nobody).
 */
export interface WatchMessage {
  readonly type: 'restaudit:watch';
  readonly on: boolean;
}

export function isWatchMessage(message: unknown): message is WatchMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:watch' && typeof (message as { on?: unknown }).on === 'boolean';
}

/** A worker's violations since its last batch, for `/events`; `dropped` counts what did not fit. */
export interface LiveViolationsMessage {
  readonly type: 'restaudit:live';
  readonly violations: readonly ViolationRecord[];
  readonly dropped: number;
}

export function isLiveViolationsMessage(message: unknown): message is LiveViolationsMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'restaudit:live' && Array.isArray((message as { violations?: unknown }).violations);
}
