import type { IncomingHttpHeaders } from 'node:http';

/**
 * Decides whether a request is authenticated for the auth rules: any configured credential
 * header, or any configured cookie. Compiled once from the config.
 */
export function credentialDetector(headers: readonly string[], cookies: readonly string[]): (h: IncomingHttpHeaders) => boolean {
  const headerNames = headers.map((name) => name.toLowerCase());
  const cookieNames = new Set(cookies);
  return (requestHeaders) => {
    for (const name of headerNames) if (requestHeaders[name] !== undefined) return true;
    const cookie = requestHeaders.cookie;
    if (cookie === undefined || cookieNames.size === 0) return false;
    for (const pair of cookie.split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0 && cookieNames.has(pair.slice(0, eq).trim())) return true;
    }
    return false;
  };
}
