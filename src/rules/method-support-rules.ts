import { headerValue } from '../capture/body-view.js';
import { earlier, pickHeaders } from './evidence.js';
import type { RuleDefinition } from './types.js';

/** What a HEAD may answer when the server does not support it on the target. */
const HEAD_REFUSALS: ReadonlySet<number> = new Set([404, 405, 501]);

const headNotSupported: RuleDefinition = {
  id: 'head-not-supported',
  severity: 'warning',
  enabledByDefault: true,
  summary: 'HEAD answered 404, 405 or 501 on a path whose GET answered 2xx (and was not deleted since)',
  reference: 'RFC 9110 §9.1, §9.3.2',
  scope: 'memory',
  check(exchange, context) {
    if (exchange.method !== 'HEAD' || !HEAD_REFUSALS.has(exchange.status)) return undefined;
    const served = context.memory.path(exchange.host, exchange.path)?.served;
    if (!context.memory.fresh(served)) return undefined;
    // HEAD works on this route: this 404 is about the resource (or hides it), not about HEAD.
    if (context.memory.fresh(context.memory.methods(exchange.host, exchange.route)?.get('HEAD'))) return undefined;
    return {
      message:
        `HEAD ${exchange.path} answered ${exchange.status}, but GET ${exchange.path} answered ${served.status} ${context.memory.ageSeconds(served)} s earlier; ` +
        'a server must support HEAD wherever it supports GET, answering with the GET response headers and no content (RFC 9110 §9.1, §9.3.2)',
      evidence: { status: exchange.status, headers: pickHeaders(exchange.responseHeaders, ['allow', 'content-type']), earlier: earlier(served, context) },
    };
  },
};

/** The method tokens of an Allow header, upper-cased (methods are case-sensitive, but no one means `get`). */
function allowed(value: string): Set<string> {
  const methods = new Set<string>();
  for (const token of value.split(',')) {
    const method = token.trim().toUpperCase();
    if (method !== '') methods.add(method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return methods;
}

const allowOmitsWorkingMethod: RuleDefinition = {
  id: 'allow-omits-working-method',
  severity: 'warning',
  enabledByDefault: true,
  summary: 'a 405 whose Allow omits a method that answered 2xx on the same route (GET covers HEAD)',
  reference: 'RFC 9110 §15.5.6, §10.2.1',
  scope: 'memory',
  check(exchange, context) {
    if (exchange.status !== 405) return undefined;
    const header = headerValue(exchange.responseHeaders.allow);
    if (header === undefined) return undefined; // method-not-allowed-without-allow's finding
    const working = context.memory.methods(exchange.host, exchange.route);
    if (working === undefined) return undefined;
    const listed = allowed(header);
    const omitted = [...working.values()].filter((seen) => !listed.has(seen.method) && context.memory.fresh(seen));
    const first = omitted[0];
    if (first === undefined) return undefined;
    const names = omitted.map((seen) => seen.method).join(', ');
    return {
      message:
        `${exchange.method} ${exchange.path} answered 405 with Allow: ${header}, but ${names} answered 2xx on ${exchange.route} within the window ` +
        `(${first.method} ${first.path} answered ${first.status} ${context.memory.ageSeconds(first)} s earlier); Allow must list every method the resource supports (RFC 9110 §10.2.1)`,
      evidence: { status: 405, headers: pickHeaders(exchange.responseHeaders, ['allow']), omitted: omitted.map((seen) => seen.method), earlier: earlier(first, context) },
    };
  },
};

const putCreatedWithout201: RuleDefinition = {
  id: 'put-created-without-201',
  severity: 'warning',
  enabledByDefault: true,
  summary: 'a PUT answered 200/204 on a path last known absent (a GET of it answered 404, or it was deleted): a creation must answer 201',
  reference: 'RFC 9110 §9.3.4',
  scope: 'memory',
  check(exchange, context) {
    if (exchange.method !== 'PUT' || (exchange.status !== 200 && exchange.status !== 204)) return undefined;
    const absent = context.memory.path(exchange.host, exchange.path)?.absent;
    if (!context.memory.fresh(absent)) return undefined;
    // A 404 to a caller without credentials may hide what exists (RFC 9110 §15.5.4): it proves
    // nothing to a PUT that carries them.
    if (exchange.hasCredentials && !absent.hasCredentials && absent.method === 'GET') return undefined;
    const why = absent.method === 'DELETE' ? `DELETE ${exchange.path} answered ${absent.status}` : `GET ${exchange.path} answered 404`;
    return {
      message:
        `PUT ${exchange.path} answered ${exchange.status}, but ${why} ${context.memory.ageSeconds(absent)} s earlier, so this PUT created the resource; ` +
        'a PUT that creates must answer 201 Created (RFC 9110 §9.3.4)',
      evidence: { status: exchange.status, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'location']), earlier: earlier(absent, context) },
    };
  },
};

/** The cross-exchange rules about which methods a resource supports and what they answer. */
export const METHOD_SUPPORT_RULES: readonly RuleDefinition[] = [headNotSupported, allowOmitsWorkingMethod, putCreatedWithout201];
