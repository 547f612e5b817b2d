import type { ServerResponse } from 'node:http';
import type { ProxyErrorReason } from '../metrics/metrics.js';

const DETAIL: Readonly<Record<ProxyErrorReason, string>> = {
  connect_refused: 'The upstream refused the connection.',
  timeout: 'The upstream sent no response headers in time.',
  reset: 'The upstream closed the connection before answering.',
  dns: 'The upstream host name could not be resolved.',
  tls: 'The TLS handshake with the upstream failed.',
  other: 'The upstream could not be reached or sent a malformed response.',
};

/** The status restaudit answers with when the upstream fails: 504 for timeouts, else 502. */
export function statusFor(reason: ProxyErrorReason): 502 | 504 {
  return reason === 'timeout' ? 504 : 502;
}

/**
 * Answers the client with an RFC 9457 problem document. Only ever used when the upstream
 * sent no response head: then there is nothing of the backend's to pass through.
 */
export function sendProblem(res: ServerResponse, reason: ProxyErrorReason, requestId: string): void {
  const status = statusFor(reason);
  const body = JSON.stringify({
    type: 'about:blank',
    title: status === 504 ? 'Gateway Timeout' : 'Bad Gateway',
    status,
    detail: DETAIL[reason],
    reason,
    requestId,
  });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  res.end(body);
}
