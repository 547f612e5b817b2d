import type { IncomingMessage } from 'node:http';

/**
 * Sets the X-Forwarded-* headers from what the proxy itself saw. A client's own
 * `X-Forwarded-Proto`/`-Host`/`-Port` are replaced (a client cannot claim https), and the
 * client's address is appended to `X-Forwarded-For` (as nginx's `$proxy_add_x_forwarded_for`).
 * restaudit listens for plain HTTP only, so the protocol is always `http`.
 */
export function setForwarded(req: IncomingMessage): void {
  const headers = req.headers;
  const address = req.socket.remoteAddress ?? '';
  const given = headers['x-forwarded-for'];
  const earlier = Array.isArray(given) ? given.join(', ') : given;
  headers['x-forwarded-for'] = earlier === undefined || earlier === '' ? address : `${earlier}, ${address}`;
  headers['x-forwarded-proto'] = 'http';
  const host = headers.host;
  if (host === undefined || host === '') {
    delete headers['x-forwarded-host'];
    headers['x-forwarded-port'] = '80';
    return;
  }
  headers['x-forwarded-host'] = host;
  const port = /:(\d+)$/.exec(host);
  headers['x-forwarded-port'] = port?.[1] ?? '80';
}
