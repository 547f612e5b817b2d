import { headerValue, mediaTypeOf } from '../capture/body-view.js';
import { pickHeaders } from './evidence.js';
import type { RuleDefinition } from './types.js';

function present(value: string | string[] | undefined): boolean {
  const first = headerValue(value);
  return first !== undefined && first.trim() !== '';
}

const unauthorizedWithoutWwwAuthenticate: RuleDefinition = {
  id: 'unauthorized-without-www-authenticate',
  severity: 'warning',
  enabledByDefault: true,
  summary: '401 Unauthorized without a WWW-Authenticate challenge',
  reference: 'RFC 9110 §15.5.2, §11.6.1',
  scope: 'exchange',
  check(exchange) {
    if (exchange.status !== 401 || present(exchange.responseHeaders['www-authenticate'])) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered 401 without WWW-Authenticate; a 401 must carry at least one challenge saying how to authenticate (or answer 403 if authenticating would not help)`,
      evidence: { status: 401, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'www-authenticate']) },
    };
  },
};

const methodNotAllowedWithoutAllow: RuleDefinition = {
  id: 'method-not-allowed-without-allow',
  severity: 'warning',
  enabledByDefault: true,
  summary: '405 Method Not Allowed without an Allow header',
  reference: 'RFC 9110 §15.5.6',
  scope: 'exchange',
  check(exchange) {
    // An empty Allow is legitimate: the resource allows no method.
    if (exchange.status !== 405 || exchange.responseHeaders.allow !== undefined) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered 405 without an Allow header; a 405 must list the methods the resource supports in Allow`,
      evidence: { status: 405, headers: pickHeaders(exchange.responseHeaders, ['content-type']) },
    };
  },
};

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

const redirectWithoutLocation: RuleDefinition = {
  id: 'redirect-without-location',
  severity: 'warning',
  enabledByDefault: true,
  summary: '301, 302, 303, 307 or 308 without a Location header',
  reference: 'RFC 9110 §15.4',
  scope: 'exchange',
  check(exchange) {
    if (!REDIRECTS.has(exchange.status) || present(exchange.responseHeaders.location)) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} without a Location header; a redirect must say where to go`,
      evidence: { status: exchange.status, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'refresh']) },
    };
  },
};

const partialWithoutContentRange: RuleDefinition = {
  id: 'partial-without-content-range',
  severity: 'warning',
  enabledByDefault: true,
  summary: '206 Partial Content without Content-Range (unless multipart/byteranges)',
  reference: 'RFC 9110 §15.3.7',
  scope: 'exchange',
  check(exchange) {
    if (exchange.status !== 206 || present(exchange.responseHeaders['content-range'])) return undefined;
    if (mediaTypeOf(exchange.responseHeaders['content-type']) === 'multipart/byteranges') return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered 206 without Content-Range; a single-part 206 must say which range it carries`,
      evidence: { status: 206, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'content-length', 'accept-ranges']), requestRange: exchange.requestHeaders.range },
    };
  },
};

const missingContentType: RuleDefinition = {
  id: 'missing-content-type',
  severity: 'info',
  enabledByDefault: true,
  summary: 'a response with content but no Content-Type',
  reference: 'RFC 9110 §8.3',
  scope: 'exchange',
  check(exchange) {
    if (exchange.responseBody.size === 0 || exchange.responseHeaders['content-type'] !== undefined) return undefined;
    if (exchange.status === 204 || exchange.status === 304 || exchange.method === 'HEAD') return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} with ${exchange.responseBody.size} bytes of content and no Content-Type; content should say what it is`,
      evidence: { status: exchange.status, bytes: exchange.responseBody.size, headers: pickHeaders(exchange.responseHeaders, ['content-length', 'content-encoding']) },
    };
  },
};

export const HEADER_RULES: readonly RuleDefinition[] = [
  unauthorizedWithoutWwwAuthenticate,
  methodNotAllowedWithoutAllow,
  redirectWithoutLocation,
  partialWithoutContentRange,
  missingContentType,
];
