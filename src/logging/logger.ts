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
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false, maxWrite: MAX_LINE_BYTES, minLength: 1 });
  return pino(
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
}

/** How long shutting down waits for buffered lines to be written. */
const FLUSH_WAIT_MS = 2000;

/**
 * Resolves once what is buffered has been written, or its write failed, or after
 * FLUSH_WAIT_MS. Awaited before the process exits: a write still in flight at exit makes
 * pino's exit hook flush synchronously, and that retries a failed write forever, so a
 * process whose standard output is a pipe nobody reads any more (EPIPE) would never exit.
 * Once the failure has been seen, pino stops writing to the pipe.
 */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, FLUSH_WAIT_MS);
    logger.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
