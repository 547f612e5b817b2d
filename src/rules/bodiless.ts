import { headerValue } from '../capture/body-view.js';
import { pickHeaders } from './evidence.js';
import type { RuleDefinition } from './types.js';

const bodyOnNoContent: RuleDefinition = {
  id: 'body-on-no-content',
  severity: 'error',
  enabledByDefault: true,
  summary: '204 or 304 that declares or carries content (Content-Length above 0, Transfer-Encoding, or bytes on the wire)',
  reference: 'RFC 9110 §15.3.5, §15.4.5, §8.6',
  scope: 'exchange',
  check(exchange) {
    if (exchange.status !== 204 && exchange.status !== 304) return undefined;
    const length = Number(headerValue(exchange.responseHeaders['content-length']) ?? '0');
    const chunked = exchange.responseHeaders['transfer-encoding'] !== undefined;
    const bytes = exchange.bytesAfterBodilessResponse;
    // A 304 may carry the Content-Length the 200 would have had (RFC 9110 §8.6).
    const declares = (exchange.status === 204 && length > 0) || chunked;
    if (!declares && bytes === 0) return undefined;
    const seen = bytes > 0 ? `${bytes} bytes of content after the head` : chunked ? 'Transfer-Encoding' : `Content-Length ${length}`;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} with ${seen}; a ${exchange.status} response has no content`,
      evidence: { status: exchange.status, bytesAfterHead: bytes, headers: pickHeaders(exchange.responseHeaders, ['content-length', 'transfer-encoding', 'content-type']) },
    };
  },
};

const bodyOnHead: RuleDefinition = {
  id: 'body-on-head',
  severity: 'error',
  enabledByDefault: true,
  summary: 'a response to HEAD carrying bytes of content',
  reference: 'RFC 9110 §9.3.2',
  scope: 'exchange',
  check(exchange) {
    // Content-Length on a HEAD response is the GET's length and legitimate: only bytes count.
    if (exchange.method !== 'HEAD' || exchange.bytesAfterBodilessResponse === 0) return undefined;
    return {
      message: `HEAD ${exchange.path} answered ${exchange.status} followed by ${exchange.bytesAfterBodilessResponse} bytes of content; a response to HEAD carries no content`,
      evidence: { status: exchange.status, bytesAfterHead: exchange.bytesAfterBodilessResponse, headers: pickHeaders(exchange.responseHeaders, ['content-length', 'transfer-encoding', 'content-type']) },
    };
  },
};

export const BODILESS_RULES: readonly RuleDefinition[] = [bodyOnNoContent, bodyOnHead];
