import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Headers whose values never reach a log line, whatever the configuration says. */
const ALWAYS_SECRET = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

/** What POSIX guarantees a single pipe write to be atomic up to. */
const PIPE_BUF = 4096;

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
  // Each write at most PIPE_BUF bytes of whole lines: atomic on a pipe, so the lines of
  // several worker processes sharing stdout never interleave.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false, maxWrite: PIPE_BUF });
  return pino(
    {
      level: options.level,
      redact: { paths, remove: true },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );
}

/** Writes what is buffered; resolves once it is on its way. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.flush(() => resolve());
  });
}
