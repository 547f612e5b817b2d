import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { BodyCopy } from '../capture/body-copy.js';
import type { CapturedExchange } from '../capture/exchange.js';
import { splitTarget } from '../capture/recorded-path.js';
import type { ProxyErrorReason } from '../metrics/metrics.js';
import type { AtHead } from '../pipeline/audit-pipeline.js';

/** Where each request's state hangs, on the request, the response and the upstream's objects. */
export const FLIGHT = Symbol('restaudit.flight');

export interface Carrier {
  [FLIGHT]?: Flight;
}

/**
 * The state of one exchange while it crosses the proxy. Listeners are module-level
 * functions that find it through `this[FLIGHT]`, so a request allocates no closures.
 */
export class Flight {
  /** performance.now() when the request arrived. */
  readonly start: number;
  /** Epoch milliseconds when the request arrived. */
  readonly startedAt: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly request: BodyCopy;
  response: BodyCopy | undefined;
  upstreamRequest: ClientRequest | undefined;
  upstreamResponse: IncomingMessage | undefined;
  /** The upstream's status, 0 until its response head arrives. */
  status = 0;
  /** performance.now() when the upstream's response head arrived. */
  headersAt = 0;
  /** The upstream deadline running now: connect, then response head, then body idle. */
  timer: NodeJS.Timeout | undefined;
  /** The request body's idle deadline, while the client is sending one. */
  bodyTimer: NodeJS.Timeout | undefined;
  /** Where the request body comes from: the request, or the socket after an upgrade. */
  body: Readable | undefined;
  /** True once the request body has been read in full. */
  bodyDone = false;
  /** True once the upstream request has been handed over in full ('finish'). */
  requestSent = false;
  /** Bytes the client sent after a WebSocket upgrade request; undefined for other requests. */
  upgradeHead: Buffer | undefined;
  /** Why a response was cut off after its head, when the proxy cut it. */
  brokenWhy: string | undefined;
  /** Set when the upstream failed before answering: the client got 502/504. */
  failure: ProxyErrorReason | undefined;
  /** Set when the upstream failed after answering: the client got a cut-off response. */
  brokenAfterHead: ProxyErrorReason | undefined;
  bytesAfterBodiless = 0;
  /** The judgement gate's ticket (cluster workers), 0 in one process. */
  ticket = 0;
  /** What the pipeline decided at the response head, once it did. */
  atHead: AtHead | undefined;
  /** performance.now() when the response was complete, 0 before. */
  endedAt = 0;
  /** True once the exchange has been recorded (at most once). */
  settled = false;

  constructor(
    readonly id: string,
    readonly req: IncomingMessage & Carrier,
    readonly res: ServerResponse & Carrier,
    now: number,
    maxBodyBytes: number,
  ) {
    this.start = now;
    this.startedAt = Date.now();
    this.method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const target = url.startsWith('/') ? url : pathOfAbsolute(url);
    const { path, query } = splitTarget(target);
    this.path = path;
    this.query = query;
    this.request = new BodyCopy(maxBodyBytes);
    req[FLIGHT] = this;
    res[FLIGHT] = this;
  }

  /** True when the response cannot have a body: HEAD, 204, 304 (and 1xx). */
  get bodiless(): boolean {
    return this.method === 'HEAD' || this.status === 204 || this.status === 304 || (this.status >= 100 && this.status < 200);
  }

  /** What the proxy saw of this exchange, for the audit pipeline; `now` is when it ended. */
  captured(now: number): CapturedExchange {
    const upstream = this.upstreamResponse;
    return {
      id: this.id,
      startedAt: this.startedAt,
      durationMs: Math.round((now - this.start) * 1000) / 1000,
      method: this.method,
      path: this.path,
      query: this.query,
      host: this.req.headers.host ?? '',
      requestHeaders: this.req.headers,
      requestBody: this.request,
      status: this.status,
      responseHeaders: upstream?.headers ?? {},
      responseBody: this.response ?? EMPTY_BODY,
      bytesAfterBodilessResponse: this.bytesAfterBodiless,
    };
  }

  /** Seconds from the request's arrival to the upstream's response head; undefined before it. */
  get upstreamSeconds(): number | undefined {
    return this.headersAt === 0 ? undefined : (this.headersAt - this.start) / 1000;
  }
}

const EMPTY_BODY = new BodyCopy(0);

/** `http://host/a?b` (absolute-form request-target) → `/a?b`. */
function pathOfAbsolute(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}
