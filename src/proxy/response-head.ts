import type { IncomingMessage, ServerResponse } from 'node:http';

/** Hop-by-hop headers that describe the upstream connection, not the message: Node manages the client's. */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection']);

/**
 * Writes the upstream's response head to the client as it came: the same status and reason
 * phrase, every header line in its order, with its case and its repetitions (two
 * `Cache-Control` lines stay two lines). Only the connection's own headers are left to Node.
 */
export function writeUpstreamHead(res: ServerResponse, upstream: IncomingMessage, clientHttpVersion: string): void {
  const raw = upstream.rawHeaders;
  const headers: string[] = [];
  const dropChunked = clientHttpVersion === '1.0';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    // An HTTP/1.0 client cannot read chunked framing; Node frames the body by closing.
    if (dropChunked && lower === 'transfer-encoding') continue;
    headers.push(name, raw[i + 1] as string);
  }
  // The upstream's Date, or none: the proxy adds no header of its own.
  res.sendDate = false;
  res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, headers);
}
