import { write } from 'node:fs';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { fitLine, MAX_LINE_BYTES } from './line-fit.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Headers whose values never reach a log line, whatever the configuration says. */
const ALWAYS_SECRET = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];


/** Where header maps may appear in a log line. */
const HEADER_PLACES = ['evidence.headers', 'evidence.requestHeaders', 'evidence.earlier.headers', 'headers', 'req.headers', 'res.headers'];

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** The configured credential headers: redacted in addition to the fixed list. */
  readonly credentialHeaders: readonly string[];
  /** Defaults to an asynchronous stdout destination. */
  readonly destination?: DestinationStream;
}

/**
 * The JSON logger. Secrets are removed here, by pino's redaction, not by each call site:
 * every credential header is dropped from every place a header map may appear.
 */
export function createLogger(options: LoggerOptions): Logger {
  const headers = [...new Set([...ALWAYS_SECRET, ...options.credentialHeaders.map((h) => h.toLowerCase())])];
  const paths = HEADER_PLACES.flatMap((place) => headers.map((header) => `${place}[${JSON.stringify(header)}]`));
  // Each write at most MAX_LINE_BYTES (PIPE_BUF) bytes of whole lines: atomic on a pipe, so the lines of
  // several worker processes sharing stdout never interleave.
  // minLength 1 writes every line at once, as 0 would, and makes `flush` wait until what is
  // in flight has been written or has failed (with 0 it returns at once): see flushLogger.
  // maxLength bounds what waits for a standard output nobody reads; lines beyond are dropped and counted.
  const own = options.destination === undefined ? pino.destination({ dest: 1, sync: false, maxWrite: MAX_LINE_BYTES, minLength: 1, maxLength: MAX_BUFFERED_BYTES }) : undefined;
  const destination = options.destination ?? own;
  const logger = pino(
    {
      level: options.level,
      redact: { paths, remove: true },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.epochTime,
      // No line is longer than 4,096 bytes: long fields are cut, the line is never dropped.
      hooks: { streamWrite: fitLine },
    },
    destination,
  );
  if (own !== undefined) {
    const output: Output = { stream: own, dropped: 0, toldAt: undefined };
    own.on('drop', () => onDrop(output));
    outputs.set(logger, output);
  }
  return logger;
}

/** Bytes of log lines held while standard output is not read (a stuck or slow log shipper). */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** How often standard error is told that lines are being dropped, at most. */
const TELL_EVERY_MS = 10_000;

type SonicBoom = ReturnType<typeof pino.destination>;

/** A logger's own stdout destination and what it could not write. */
interface Output {
  readonly stream: SonicBoom;
  dropped: number;
  toldAt: number | undefined;
}

const outputs = new WeakMap<Logger, Output>();

/** sonic-boom dropped a line (one write is one line): standard output holds MAX_BUFFERED_BYTES. */
function onDrop(output: Output): void {
  output.dropped++;
  const now = performance.now();
  if (output.toldAt !== undefined && now - output.toldAt < TELL_EVERY_MS) return;
  output.toldAt = now;
  tellStderr(`standard output is not being read: ${output.dropped} log lines dropped so far (${MAX_BUFFERED_BYTES} bytes are held, restaudit_log_lines_dropped_total counts the rest)`);
}

/** Whether a line to standard error is still being written. */
let telling = false;

/**
 * One line to standard error, asynchronously: if it is as stuck as standard output, only one
 * thread-pool write waits, never the event loop (and never a second thread: a line is
 * skipped while the one before it is not written).
 */
function tellStderr(message: string, done?: () => void): void {
  if (telling) {
    done?.();
    return;
  }
  telling = true;
  write(2, `restaudit: ${message}\n`, () => {
    telling = false;
    done?.();
  });
}

/** Log lines this logger dropped because standard output was not read (0 for another destination). */
export function droppedLogLines(logger: Logger): number {
  return outputs.get(logger)?.dropped ?? 0;
}

/** How long shutting down waits for buffered lines to be written. */
const FLUSH_WAIT_MS = 2000;

/**
 * Resolves once what is buffered has been written, or its write failed, or after
 * FLUSH_WAIT_MS. Awaited before the process exits: a write still in flight at exit makes
 * pino's exit hook flush synchronously, and that retries a failed or blocked write forever.
 * A pipe whose reader went away (EPIPE): once the failure has been seen, pino stops writing
 * to it. A pipe nobody reads (full): see giveUp.
 */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => giveUp(logger, resolve), FLUSH_WAIT_MS);
    logger.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Standard output took no line for FLUSH_WAIT_MS: what it holds is dropped, and standard
 * error says so. The destination is closed, so pino's exit hook does not wait for it forever
 * (it retries a write that would block without end).
 */
function giveUp(logger: Logger, resolve: () => void): void {
  const output = outputs.get(logger);
  if (output === undefined) {
    resolve();
    return;
  }
  output.stream.destroy();
  const timer = setTimeout(resolve, STDERR_WAIT_MS);
  const before = output.dropped === 0 ? '' : ` (${output.dropped} dropped before)`;
  tellStderr(`standard output took no log line for ${FLUSH_WAIT_MS} ms at shutdown: the lines it held are not written${before}`, () => {
    clearTimeout(timer);
    resolve();
  });
}

/** How long the last word on standard error may take before the process exits anyway. */
const STDERR_WAIT_MS = 500;
