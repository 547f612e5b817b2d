import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a browser (Basic) and Prometheus's scrape config (Bearer or Basic) are asked for. */
export const CHALLENGES = ['Basic realm="restaudit admin", charset="UTF-8"', 'Bearer realm="restaudit admin"'];

/**
 * Checks `Authorization` against the admin token: `Bearer TOKEN`, or Basic auth with TOKEN
 * as the password (any user name). Compared in constant time: both sides are hashed first,
 * so neither the content nor the length of the token leaks through timing.
 */
export function createTokenCheck(token: string): (headers: IncomingHttpHeaders) => boolean {
  const expected = digest(token);
  return (headers) => {
    const presented = credentialOf(headers.authorization);
    // Hash even when nothing usable was presented: the same work on every path.
    const actual = digest(presented ?? '');
    return timingSafeEqual(actual, expected) && presented !== undefined;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token a request presents, or undefined. */
function credentialOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space === -1) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return value;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}
