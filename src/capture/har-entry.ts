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
  readonly response: { status: number; headers?: HarHeader[]; content?: { text?: string; encoding?: string } };
}

/**
 * The exchange a HAR entry recorded, or undefined when its URL does not parse. HAR bodies
 * are stored decoded, so `Content-Encoding` is dropped: the rules must not undo it again.
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
  const responseBytes = content?.text === undefined ? Buffer.alloc(0) : Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8');
  return {
    id,
    startedAt: Number.isNaN(at) ? 0 : at,
    durationMs: entry.time ?? 0,
    method: entry.request.method.toUpperCase(),
    path: recordedPath(url.pathname),
    query: url.search.slice(1),
    // Memory is per host; in recorded traffic, the host is the entry URL's.
    host: url.host,
    requestHeaders,
    requestBody: BodyCopy.of(entry.request.postData?.text ?? '', maxBodyBytes),
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
