import type { IncomingHttpHeaders } from 'node:http';
import { BodyCopy } from './body-copy.js';
import type { CapturedExchange } from './exchange.js';
import { recordedPath } from './recorded-path.js';

export interface HarHeader {
  readonly name: string;
  readonly value: string;
}

/** The parts of a HAR 1.2 entry (`log.entries[]`) that an exchange is made of. */
export interface HarEntry {
  readonly startedDateTime?: string;
  readonly time?: number;
  readonly request: { method: string; url: string; headers?: HarHeader[]; postData?: { mimeType?: string; text?: string } };
  readonly response: { status: number; headers?: HarHeader[]; content?: { mimeType?: string; text?: string; encoding?: string } };
}

/**
 * The entry a parsed HAR value records, or why it cannot be audited: `no response` (an
 * aborted request: no `response`, or status 0 as browsers record it) or `malformed`.
 */
export function harEntryOf(value: unknown): HarEntry | 'no response' | 'malformed' {
  const entry = value as Partial<HarEntry> | null;
  if (typeof entry !== 'object' || entry === null) return 'malformed';
  if (typeof entry.request?.method !== 'string' || typeof entry.request.url !== 'string') return 'malformed';
  const status = entry.response?.status;
  if (typeof status !== 'number' || status <= 0) return 'no response';
  if (!Number.isInteger(status) || status > 999) return 'malformed';
  if (!listOrAbsent(entry.request.headers) || !listOrAbsent(entry.response?.headers)) return 'malformed';
  return entry as HarEntry;
}

function listOrAbsent(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((item) => typeof (item as HarHeader | null)?.name === 'string' && typeof (item as HarHeader).value === 'string'));
}

/**
 * The exchange a HAR entry recorded, or undefined when its URL does not parse. HAR bodies
 * are stored decoded, so `Content-Encoding` is dropped: the rules must not undo it again.
 * Where an exporter dropped the headers but kept `content.mimeType`, that is the
 * `Content-Type`. The host is the entry URL's.
 */
export function harExchange(entry: HarEntry, id: string, maxBodyBytes: number): CapturedExchange | undefined {
  const url = safeUrl(entry.request.url);
  if (url === undefined) return undefined;
  const at = Date.parse(entry.startedDateTime ?? '');
  const requestHeaders = headersOf(entry.request.headers);
  const responseHeaders = headersOf(entry.response.headers);
  delete responseHeaders['content-encoding'];
  delete requestHeaders['content-encoding'];
  const content = entry.response.content;
  if (responseHeaders['content-type'] === undefined && typeof content?.mimeType === 'string' && content.mimeType !== '') {
    responseHeaders['content-type'] = content.mimeType;
  }
  const responseBytes = typeof content?.text !== 'string' ? Buffer.alloc(0) : Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8');
  return {
    id,
    startedAt: Number.isNaN(at) ? 0 : at,
    durationMs: typeof entry.time === 'number' ? entry.time : 0,
    method: entry.request.method.toUpperCase(),
    path: recordedPath(url.pathname),
    query: url.search.slice(1),
    // Memory is per host; in recorded traffic, the host is the entry URL's.
    host: url.host,
    requestHeaders,
    requestBody: BodyCopy.of(typeof entry.request.postData?.text === 'string' ? entry.request.postData.text : '', maxBodyBytes),
    status: entry.response.status,
    responseHeaders,
    responseBody: BodyCopy.of(responseBytes, maxBodyBytes),
    bytesAfterBodilessResponse: 0,
  };
}

export function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** HAR's header list as Node's header map: lower-case names, repeated fields joined. */
export function headersOf(list: readonly HarHeader[] | undefined): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const { name, value } of list ?? []) {
    const key = name.toLowerCase();
    if (key.startsWith(':')) continue; // HTTP/2 pseudo-headers
    const existing = headers[key];
    if (existing === undefined) headers[key] = key === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[key] = key === 'cookie' ? `${existing}; ${value}` : `${existing}, ${value}`;
  }
  return headers;
}
