import type { Exchange } from '../capture/exchange.js';
import { headerValue } from '../capture/body-view.js';

/**
 * The path a response's Location names, resolved against the request URL, when it points
 * at this origin (the request's Host, or the upstream target's host); otherwise undefined.
 */
export function locationPath(exchange: Exchange, targetHost: string): string | undefined {
  const location = headerValue(exchange.responseHeaders.location);
  if (location === undefined || location === '') return undefined;
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
