import { headerValue } from '../capture/body-view.js';
import { excerpt, pickHeaders } from './evidence.js';
import type { RuleDefinition } from './types.js';

/** Last path segments that name an action, not a collection: a 200 there creates nothing. */
const ACTION_SEGMENTS: ReadonlySet<string> = new Set(['login', 'logout', 'signin', 'token', 'refresh', 'search', 'query', 'graphql', 'batch', 'verify', 'validate']);
const ID_MEMBERS = ['id', '_id', 'uuid', 'guid'] as const;

function lastSegment(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1).toLowerCase();
}

const post200WithoutLocation: RuleDefinition = {
  id: 'post-200-without-location',
  severity: 'warning',
  enabledByDefault: true,
  summary: 'POST answered 200 without Location where the JSON body is an object with an id: a creation reported as 200',
  reference: 'RFC 9110 §9.3.3, §15.3.2',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.method !== 'POST' || exchange.status !== 200) return undefined;
    if (exchange.responseHeaders.location !== undefined || ACTION_SEGMENTS.has(lastSegment(exchange.path))) return undefined;
    if (!context.response.declaredJson) return undefined;
    const body = context.response.json();
    if (body.kind !== 'json' || body.value === null || typeof body.value !== 'object' || Array.isArray(body.value)) return undefined;
    const value = body.value as Record<string, unknown>;
    const member = ID_MEMBERS.find((name) => value[name] !== undefined && value[name] !== null && value[name] !== '');
    if (member === undefined) return undefined;
    return {
      message: `POST ${exchange.path} answered 200 with a new-looking resource (member "${member}") and no Location; a creation should answer 201 Created with a Location naming the resource`,
      evidence: { status: 200, idMember: member, headers: pickHeaders(exchange.responseHeaders, ['content-type']), body: excerpt(context.response.text(), body.value) },
    };
  },
};

const createdWithoutLocation: RuleDefinition = {
  id: 'created-without-location',
  severity: 'error',
  enabledByDefault: true,
  summary: 'POST answered 201 Created without a Location header',
  reference: 'RFC 9110 §9.3.3, §15.3.2',
  scope: 'exchange',
  check(exchange) {
    // A 201 to PUT/PATCH names its resource already: the request-target.
    if (exchange.status !== 201 || exchange.method !== 'POST') return undefined;
    const location = headerValue(exchange.responseHeaders.location);
    if (location !== undefined && location.trim() !== '') return undefined;
    // A 201 to an action (login, token, search) usually created nothing a client should find again.
    const advice = ACTION_SEGMENTS.has(lastSegment(exchange.path))
      ? `POST ${exchange.path} is an action (${lastSegment(exchange.path)}): answer 200, or name what was created in Location`
      : 'a 201 to POST must name the created resource in Location';
    return {
      message: `POST ${exchange.path} answered 201 Created without a Location header; ${advice}`,
      evidence: { status: 201, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'location', 'content-location']) },
    };
  },
};

/** Methods that must not change state (RFC 9110 §9.2.1). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

const safeMethodCreated: RuleDefinition = {
  id: 'safe-method-created',
  severity: 'error',
  enabledByDefault: true,
  summary: 'GET, HEAD or OPTIONS answered 201 Created: a safe method must not create',
  reference: 'RFC 9110 §9.2.1',
  scope: 'exchange',
  check(exchange) {
    if (exchange.status !== 201 || !SAFE_METHODS.has(exchange.method)) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered 201 Created; ${exchange.method} is a safe method and must not create resources (expected 200)`,
      evidence: { status: 201, headers: pickHeaders(exchange.responseHeaders, ['location', 'content-type']) },
    };
  },
};

export const CREATION_RULES: readonly RuleDefinition[] = [post200WithoutLocation, createdWithoutLocation, safeMethodCreated];
