import type { Exchange } from '../capture/exchange.js';
import { headerValue } from '../capture/body-view.js';

/** An absolute path of characters URL parsing keeps as they are (no `//` authority, query, fragment, escapes). */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
/** A `.` or `..` segment, which resolution removes. */
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/**
 * The path a response's Location names, resolved against the request URL, when it points
 * at this origin (the request's Host, or the upstream target's host); otherwise undefined.
 */
export function locationPath(exchange: Exchange, targetHost: string): string | undefined {
  const location = headerValue(exchange.responseHeaders.location);
  if (location === undefined || location === '') return undefined;
  // The common case, `/items/7`: an absolute path that resolution leaves as it is.
  if (PLAIN_PATH.test(location) && !DOT_SEGMENT.test(location)) return location;
  const host = exchange.host === '' ? targetHost : exchange.host;
  let url: URL;
  try {
    url = new URL(location, `http://${host}${exchange.path}`);
  } catch {
    return undefined;
  }
  if (url.host !== host && url.host !== targetHost) return undefined;
  return url.pathname;
}
