import type { IncomingHttpHeaders } from 'node:http';
import type { BodyCopy } from './body-copy.js';

/**
 * One request/response pair as it crossed the proxy: the only thing that passes from the
 * proxy to the rules. Built once the response has gone to the client; never mutated.
 */
export interface Exchange {
  /** The `X-Request-Id` passed on (as recorded: at most MAX_REQUEST_ID_CHARS) or generated; the log's `requestId`. */
  readonly id: string;
  /** Epoch milliseconds at which the request arrived. */
  readonly startedAt: number;
  /** Milliseconds from the request's arrival to the end of the response. */
  readonly durationMs: number;
  /** The method on the wire, upper-cased. `X-HTTP-Method-Override` does not change it. */
  readonly method: string;
  /** The request path as the client sent it, without query string, fragment or `;` parameters. */
  readonly path: string;
  /** The query string without the leading `?`, or `''`. */
  readonly query: string;
  /** The route template: configured, else inferred (`/users/:id`). Unbounded; see `routeLabel`. */
  readonly route: string;
  /** The value of the Host header the client sent, or `''`. */
  readonly host: string;
  /** Request headers, lower-cased names, as Node parsed them. */
  readonly requestHeaders: IncomingHttpHeaders;
  /** The bounded copy of the request body as it crossed the wire. */
  readonly requestBody: BodyCopy;
  /** True when the request carried any of the configured credential headers or cookies. */
  readonly hasCredentials: boolean;
  /** The upstream's status code. */
  readonly status: number;
  /** Response headers, lower-cased names, as Node parsed them. */
  readonly responseHeaders: IncomingHttpHeaders;
  /** The bounded copy of the response body as it crossed the wire (still encoded). */
  readonly responseBody: BodyCopy;
  /**
   * Bytes the upstream sent after a response that cannot have a body (HEAD, 204, 304).
   * Node's parser never delivers them; the proxy sees them on the socket. 0 when none.
   */
  readonly bytesAfterBodilessResponse: number;
}

/**
 * What a source of traffic knows of an exchange (the proxy's flight, a HAR entry, a log
 * line): everything but what the audit pipeline decides (the route and whether the request
 * carried credentials, both from the config).
 */
export type CapturedExchange = Omit<Exchange, 'route' | 'hasCredentials'>;

/** The Exchange of a captured one, once the pipeline has its route and credentials. */
export function completeExchange(captured: CapturedExchange, route: string, hasCredentials: boolean): Exchange {
  return {
    id: captured.id,
    startedAt: captured.startedAt,
    durationMs: captured.durationMs,
    method: captured.method,
    path: captured.path,
    query: captured.query,
    route,
    host: captured.host,
    requestHeaders: captured.requestHeaders,
    requestBody: captured.requestBody,
    hasCredentials,
    status: captured.status,
    responseHeaders: captured.responseHeaders,
    responseBody: captured.responseBody,
    bytesAfterBodilessResponse: captured.bytesAfterBodilessResponse,
  };
}
