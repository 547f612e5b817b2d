import type { Exchange } from '../capture/exchange.js';
import { jsonTypeOf } from '../memory/exchange-memory.js';
import { earlier, excerpt, pickHeaders } from './evidence.js';
import { METHOD_SUPPORT_RULES } from './method-support-rules.js';
import type { RuleContext, RuleDefinition, Verdict } from './types.js';

const notFoundMasksAuth: RuleDefinition = {
  id: 'not-found-masks-auth',
  severity: 'warning',
  enabledByDefault: true,
  summary: 'a 404 to a request without credentials on a path that answered 2xx to an authenticated GET/HEAD: should be 401/403 (HEAD judged where HEAD works on the route)',
  reference: 'RFC 9110 §15.5.2, §15.5.4 (a policy finding: hiding with 404 is allowed)',
  scope: 'memory',
  check(exchange, context) {
    if (exchange.status !== 404 || exchange.hasCredentials) return undefined;
    const seen = context.memory.path(exchange.host, exchange.path)?.authenticatedRead;
    if (!context.memory.fresh(seen)) return undefined;
    // A HEAD 404 where HEAD never worked on the route is head-not-supported's finding.
    if (exchange.method === 'HEAD' && !context.memory.fresh(context.memory.methods(exchange.host, exchange.route)?.get('HEAD'))) return undefined;
    return {
      message:
        `${exchange.method} ${exchange.path} without credentials answered 404, but the same path answered ${seen.status} to an authenticated ${seen.method} ` +
        `${context.memory.ageSeconds(seen)} s earlier; a missing credential should get 401 (or 403), unless hiding the resource is deliberate policy (RFC 9110 §15.5.4)`,
      evidence: { status: exchange.status, earlier: earlier(seen, context) },
    };
  },
};

const protectedRouteServedAnonymously: RuleDefinition = {
  id: 'protected-route-served-anonymously',
  severity: 'error',
  enabledByDefault: true,
  summary: 'a 2xx to a request without credentials on a method+route that answered 401/403 to one (GET and HEAD as one)',
  reference: 'RFC 9110 §15.5.2, §15.5.4',
  scope: 'memory',
  check(exchange, context) {
    if (exchange.status < 200 || exchange.status > 299 || exchange.hasCredentials) return undefined;
    const denied = context.memory.route(exchange.host, exchange.method, exchange.route)?.anonymousDenied;
    if (!context.memory.fresh(denied)) return undefined;
    return {
      message:
        `${exchange.method} ${exchange.path} without credentials answered ${exchange.status}, but ${denied.method} ${denied.path} on the same route ` +
        `refused a request without credentials with ${denied.status} ${context.memory.ageSeconds(denied)} s earlier; a protected route must not serve anonymous callers`,
      evidence: { status: exchange.status, route: exchange.route, earlier: earlier(denied, context) },
    };
  },
};

const createdResourceNotFound: RuleDefinition = {
  id: 'created-resource-not-found',
  severity: 'error',
  enabledByDefault: true,
  summary: 'a GET of the Location a 201 returned answers 404, with no DELETE of it in between',
  reference: 'RFC 9110 §15.3.2, §10.2.2',
  scope: 'memory',
  check(exchange, context) {
    if (exchange.status !== 404 || exchange.method !== 'GET') return undefined;
    const created = context.memory.path(exchange.host, exchange.path)?.created;
    if (!context.memory.fresh(created)) return undefined;
    return {
      message:
        `GET ${exchange.path} answered 404, but ${created.method} ${created.path} answered 201 Created with Location ${exchange.path} ` +
        `${context.memory.ageSeconds(created)} s earlier and nothing deleted it; a created resource must be retrievable at its Location`,
      evidence: { status: exchange.status, location: exchange.path, earlier: earlier(created, context) },
    };
  },
};

const deletedResourceStillServed: RuleDefinition = {
  id: 'deleted-resource-still-served',
  severity: 'error',
  enabledByDefault: true,
  summary: 'a GET of a path answers 2xx after a 200/204 DELETE of it, with nothing re-creating it in between',
  reference: 'RFC 9110 §9.3.5',
  scope: 'memory',
  check(exchange, context) {
    if (exchange.method !== 'GET' || exchange.status < 200 || exchange.status > 299) return undefined;
    const deleted = context.memory.path(exchange.host, exchange.path)?.deleted;
    if (!context.memory.fresh(deleted)) return undefined;
    return {
      message:
        `GET ${exchange.path} answered ${exchange.status}, but DELETE ${exchange.path} answered ${deleted.status} ` +
        `${context.memory.ageSeconds(deleted)} s earlier and nothing re-created it; a deleted resource must no longer be served`,
      evidence: { status: exchange.status, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'etag', 'last-modified']), earlier: earlier(deleted, context) },
    };
  },
};

/** The rules that need earlier exchanges, in the contract's order. */
export const MEMORY_RULES: readonly RuleDefinition[] = [
  notFoundMasksAuth,
  protectedRouteServedAnonymously,
  createdResourceNotFound,
  deletedResourceStillServed,
  ...METHOD_SUPPORT_RULES,
];

/**
 * The learned half of `server-error-on-bad-input`: a 5xx answering a JSON request body whose
 * top-level type this method and route never accepted with 2xx.
 */
export function unlearnedBodyType(exchange: Exchange, context: RuleContext): Verdict | undefined {
  if (exchange.status < 500 || exchange.requestBody.size === 0) return undefined;
  const learned = context.memory.route(exchange.host, exchange.method, exchange.route)?.bodyTypes;
  if (learned === undefined || learned.size === 0) return undefined;
  const body = context.request.json();
  if (body.kind !== 'json') return undefined;
  const type = jsonTypeOf(body.value);
  if (learned.has(type)) return undefined;
  const taught = Object.fromEntries(learned);
  const accepted = [...learned.keys()].join(' or ');
  return {
    message:
      `${exchange.method} ${exchange.path} answered ${exchange.status} to a JSON ${type}, but this route has only ever accepted a JSON ${accepted} ` +
      `(${[...learned.values()].reduce((a, b) => a + b, 0)} exchanges); a body of the wrong shape is the client's error and should get 400 or 422`,
    evidence: { status: exchange.status, requestBodyType: type, learnedTypes: taught, requestBody: excerpt(context.request.text(), body.value) },
  };
}
