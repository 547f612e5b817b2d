import { BodyCopy } from '../../src/capture/body-copy.js';
import type { CapturedExchange } from '../../src/capture/exchange.js';

/** A recorded GET of `path` on api.example answered 200 with `body` as JSON. */
export function jsonGet(path: string, body: string, id: number): CapturedExchange {
  return {
    id: `rec-${id}`,
    startedAt: 0,
    durationMs: 1,
    method: 'GET',
    path,
    query: '',
    host: 'api.example',
    requestHeaders: {},
    requestBody: BodyCopy.of(''),
    status: 200,
    responseHeaders: { 'content-type': 'application/json; charset=utf-8' },
    responseBody: BodyCopy.of(body),
    bytesAfterBodilessResponse: 0,
  };
}
