import type { IncomingHttpHeaders } from 'node:http';
import { BodyCopy } from './body-copy.js';
import type { CapturedExchange } from './exchange.js';

/**
 * One access-log line of nginx's `log_format restaudit escape=json` (docs/out-of-path.md):
 * every field a string, `-` or empty when nginx had no value.
 */
export interface NginxJsonLine {
  readonly msec?: string;
  readonly request_time?: string;
  readonly upstream_header_time?: string;
  readonly request_id?: string;
  readonly method?: string;
  readonly uri?: string;
  readonly host?: string;
  readonly status?: string;
  readonly credentials?: string;
  readonly request_content_type?: string;
  readonly location?: string;
  readonly www_authenticate?: string;
  readonly allow?: string;
  readonly content_type?: string;
  readonly content_length?: string;
  readonly content_range?: string;
  readonly transfer_encoding?: string;
}

/** The response headers an nginx-json line carries, by field. */
const RESPONSE_HEADERS: ReadonlyArray<readonly [keyof NginxJsonLine, string]> = [
  ['location', 'location'],
  ['www_authenticate', 'www-authenticate'],
  ['allow', 'allow'],
  ['content_type', 'content-type'],
  ['content_length', 'content-length'],
  ['content_range', 'content-range'],
  ['transfer_encoding', 'transfer-encoding'],
];

/**
 * The exchange an nginx JSON access-log line records, or why it cannot be audited. A log
 * carries no bodies: the exchange has none, and the rules that read bodies find nothing.
 */
export function nginxExchange(value: unknown, id: string): CapturedExchange | 'malformed' | 'no response' {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'malformed';
  const line = value as Record<string, unknown>;
  const method = field(line, 'method');
  const uri = field(line, 'uri');
  const status = Number(field(line, 'status'));
  if (method === undefined || uri === undefined || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) return 'malformed';
  if (!Number.isInteger(status) || status > 999) return 'malformed';
  // 499: nginx's mark for a client that went away before the response.
  if (status <= 0 || status === 499) return 'no response';
  const endMs = Number(field(line, 'msec') ?? 'NaN') * 1000;
  const seconds = Number(field(line, 'request_time') ?? '0');
  const durationMs = Number.isFinite(seconds) ? Math.round(seconds * 1_000_000) / 1000 : 0;
  const responseHeaders: IncomingHttpHeaders = {};
  for (const [name, header] of RESPONSE_HEADERS) {
    const headerValue = field(line, name);
    if (headerValue !== undefined) responseHeaders[header] = headerValue;
  }
  const requestHeaders: IncomingHttpHeaders = {};
  const host = field(line, 'host') ?? '';
  if (host !== '') requestHeaders.host = host;
  const requestType = field(line, 'request_content_type');
  if (requestType !== undefined) requestHeaders['content-type'] = requestType;
  const q = uri.indexOf('?');
  return {
    id: field(line, 'request_id') ?? id,
    startedAt: Number.isFinite(endMs) ? Math.round(endMs - durationMs) : 0,
    durationMs,
    method: method.toUpperCase(),
    path: q === -1 ? uri : uri.slice(0, q),
    query: q === -1 ? '' : uri.slice(q + 1),
    host,
    requestHeaders,
    requestBody: EMPTY,
    credentials: field(line, 'credentials') === 'yes',
    status,
    responseHeaders,
    responseBody: EMPTY,
    bytesAfterBodilessResponse: 0,
  };
}

const EMPTY = BodyCopy.of('');

/** A field's value; undefined for nginx's `-`, an empty string or a non-string. */
function field(line: Record<string, unknown>, name: string): string | undefined {
  const value = line[name];
  return typeof value !== 'string' || value === '' || value === '-' ? undefined : value;
}

/** The seconds nginx waited for the upstream's response head, when it proxied. */
export function nginxUpstreamSeconds(value: unknown): number | undefined {
  const text = (value as Record<string, unknown> | null)?.upstream_header_time;
  if (typeof text !== 'string') return undefined;
  // Several upstreams tried: `0.002, 0.010`; the last one answered.
  const seconds = Number(text.split(',').pop()?.trim());
  return Number.isFinite(seconds) ? seconds : undefined;
}
