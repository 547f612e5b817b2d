import { excerpt, pickHeaders } from './evidence.js';
import { unlearnedBodyType } from './memory-rules.js';
import { requestSchemaVerdict } from './spec-rules.js';
import type { RuleContext, RuleDefinition, Verdict } from './types.js';
import type { Exchange } from '../capture/exchange.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** What makes a JSON object an error envelope; undefined when it is not one. */
function errorEnvelope(body: Record<string, unknown>): string | undefined {
  if ((nonEmpty(body.error) || nonEmpty(body.errors)) && !('data' in body)) return nonEmpty(body.error) ? 'a non-empty "error" member' : 'a non-empty "errors" member';
  if (body.success === false) return '"success": false';
  if (body.ok === false) return '"ok": false';
  if ((body.status === 'error' || body.status === 'fail') && ('message' in body || 'error' in body)) return `"status": "${body.status}" with a message`;
  return undefined;
}

/** Top-level member names an error envelope needs: a body without any of them is not parsed. */
const ENVELOPE_MEMBERS: ReadonlySet<string> = new Set(['error', 'errors', 'success', 'ok', 'status']);

function mayBeEnvelope(keys: readonly string[]): boolean {
  for (const key of keys) if (ENVELOPE_MEMBERS.has(key)) return true;
  return false;
}

const errorPayloadWithSuccessStatus: RuleDefinition = {
  id: 'error-payload-with-success-status',
  severity: 'warning',
  enabledByDefault: true,
  summary: 'a 2xx whose JSON body is an error envelope (error/errors without data, success: false, ok: false, status "error"/"fail")',
  reference: 'RFC 9110 §15.3',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.status < 200 || exchange.status > 299 || exchange.responseBody.size === 0 || !context.response.declaredJson) return undefined;
    if (context.response.jsonValidity() !== 'valid' || !mayBeEnvelope(context.response.topLevelKeys())) return undefined;
    const body = context.response.json();
    if (body.kind !== 'json' || !isObject(body.value)) return undefined;
    const why = errorEnvelope(body.value);
    if (why === undefined) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} with an error envelope (${why}); a failure should answer a 4xx or 5xx status`,
      evidence: { status: exchange.status, envelope: why, body: excerpt(context.response.text(), body.value) },
    };
  },
};

const invalidJsonResponse: RuleDefinition = {
  id: 'invalid-json-response',
  severity: 'error',
  enabledByDefault: true,
  summary: 'a response declared JSON (application/json, +json) whose body does not parse',
  reference: 'RFC 8259, RFC 9110 §8.3',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.status === 206 || exchange.responseBody.size === 0 || !context.response.declaredJson) return undefined;
    // Most bodies are valid: find that out without parsing them; parse only to explain why not.
    if (context.response.jsonValidity() !== 'invalid') return undefined;
    const body = context.response.json();
    if (body.kind !== 'invalid') return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} declared as ${context.response.mediaType} but the body is not valid JSON (${body.error})`,
      evidence: { status: exchange.status, parseError: body.error, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'content-encoding']), body: excerpt(context.response.text()) },
    };
  },
};

const PROBLEM_JSON = 'application/problem+json';

const errorNotProblemJson: RuleDefinition = {
  id: 'error-not-problem-json',
  severity: 'info',
  enabledByDefault: false,
  summary: 'a 4xx/5xx not using application/problem+json',
  reference: 'RFC 9457 §3',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.status < 400 || exchange.status > 599 || exchange.method === 'HEAD') return undefined;
    if (context.response.mediaType === PROBLEM_JSON) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} as ${context.response.mediaType || 'no content type'}; errors should be application/problem+json documents`,
      evidence: { status: exchange.status, headers: pickHeaders(exchange.responseHeaders, ['content-type']) },
    };
  },
};

const problemStatusMismatch: RuleDefinition = {
  id: 'problem-status-mismatch',
  severity: 'warning',
  enabledByDefault: true,
  summary: "an application/problem+json body whose status member differs from the HTTP status",
  reference: 'RFC 9457 §3.1.2',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.responseBody.size === 0 || context.response.mediaType !== PROBLEM_JSON) return undefined;
    const body = context.response.json();
    if (body.kind !== 'json' || !isObject(body.value) || typeof body.value.status !== 'number') return undefined;
    if (body.value.status === exchange.status) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} with a problem document saying status ${body.value.status}; the status member must match the HTTP status`,
      evidence: { status: exchange.status, problemStatus: body.value.status, body: excerpt(context.response.text(), body.value) },
    };
  },
};

/** Stack frames, by platform. Specific enough that ordinary prose does not match. */
const STACK_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  // After whitespace, an escaped newline (JSON) or HTML (`<br> &nbsp;at`, as Express prints them).
  ['node', /(?:^|[\s;>]|\\n)at (?:[^\s()]+ )?\(?(?:file:\/\/|node:)?[^\s():"]*\.(?:js|mjs|cjs|ts|jsx|tsx):\d+:\d+\)?/],
  ['python', /Traceback \(most recent call last\)|File "[^"]+\.py", line \d+/],
  ['java', /\bat [\w$]+(?:\.[\w$<>]+)+\((?:[\w$]+\.(?:java|kt|scala|groovy):\d+|Native Method|Unknown Source)\)/],
  ['dotnet', /\bat [\w.`<>[\]]+\([^)]*\) in [^\n]*:line \d+/],
  ['go', /goroutine \d+ \[[a-z ]+\]:/],
  ['php', /Stack trace:(?:\s|\\n)*#0 |PHP (?:Fatal|Parse) error/],
  ['ruby', /\.rb:\d+:in [`'][^']+'/],
];
/** What a Node frame match may start with before `at`: whitespace, `\n`, the end of `&nbsp;` or a tag. */
const FRAME_LEAD = /^(?:\\n|[\s;>])+/;
/** How much of a body is searched for a stack trace. */
const STACK_SEARCH_CHARS = 64 * 1024;

const stackTraceLeak: RuleDefinition = {
  id: 'stack-trace-leak',
  severity: 'warning',
  enabledByDefault: true,
  summary: 'a 4xx/5xx body that contains a stack trace (Node, Python, Java, .NET, Go, PHP, Ruby)',
  reference: 'OWASP ASVS V7.4.1 (error handling); CWE-209',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.status < 400 || exchange.status > 599 || exchange.responseBody.size === 0) return undefined;
    const full = context.response.text();
    if (full === undefined) return undefined;
    const text = full.length > STACK_SEARCH_CHARS ? full.slice(0, STACK_SEARCH_CHARS) : full;
    for (const [platform, pattern] of STACK_PATTERNS) {
      const match = pattern.exec(text);
      if (match === null) continue;
      return {
        message: `${exchange.method} ${exchange.path} answered ${exchange.status} with a ${platform} stack trace in its body; internals belong in server logs, not in responses`,
        evidence: { status: exchange.status, platform, frame: excerpt(match[0].replace(FRAME_LEAD, '').trim()), headers: pickHeaders(exchange.responseHeaders, ['content-type']) },
      };
    }
    return undefined;
  },
};

const VALIDATION_WORDS = /ValidationError|validation failed|\bis required\b|\bmust be\b|\binvalid\b(?! memory address)/i;
const VALIDATION_SEARCH_CHARS = 8 * 1024;

/** A 5xx answering a JSON request body that does not parse. */
function malformedJsonRequest(exchange: Exchange, context: RuleContext): Verdict | undefined {
  if (exchange.requestBody.size === 0 || !context.request.declaredJson) return undefined;
  const body = context.request.json();
  if (body.kind !== 'invalid') return undefined;
  return {
    message: `${exchange.method} ${exchange.path} answered ${exchange.status} to a request body declared JSON that does not parse (${body.error}); malformed input is the client's error and should get 400`,
    evidence: { status: exchange.status, cause: 'malformed-json-request', parseError: body.error, requestBody: excerpt(context.request.text()) },
  };
}

/** A 5xx whose own body says the input was invalid. */
function validationMessage(exchange: Exchange, context: RuleContext): Verdict | undefined {
  if (exchange.responseBody.size === 0) return undefined;
  const full = context.response.text();
  if (full === undefined) return undefined;
  const text = full.length > VALIDATION_SEARCH_CHARS ? full.slice(0, VALIDATION_SEARCH_CHARS) : full;
  const match = VALIDATION_WORDS.exec(text);
  if (match === null) return undefined;
  const parsed = context.response.json();
  return {
    message: `${exchange.method} ${exchange.path} answered ${exchange.status} with a body that reads as a validation error ("${match[0]}"); invalid input should get 400 or 422`,
    evidence: { status: exchange.status, cause: 'validation-message', matched: match[0], body: excerpt(text, parsed.kind === 'json' ? parsed.value : undefined) },
  };
}

const serverErrorOnBadInput: RuleDefinition = {
  id: 'server-error-on-bad-input',
  severity: 'error',
  enabledByDefault: true,
  summary: 'a 5xx answering detectably malformed input (unparseable JSON, a body type the route never accepted, a body violating the documented request schema, a validation message): should be 400/422',
  reference: 'RFC 9110 §15.5.1, §15.6; RFC 9110 §15.5.21 (422)',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.status < 500 || exchange.status > 599) return undefined;
    return (
      malformedJsonRequest(exchange, context) ??
      requestSchemaVerdict(exchange, context, "malformed input is the client's error and should get 400 or 422") ??
      unlearnedBodyType(exchange, context) ??
      validationMessage(exchange, context)
    );
  },
};

export const PAYLOAD_RULES: readonly RuleDefinition[] = [
  serverErrorOnBadInput,
  errorPayloadWithSuccessStatus,
  invalidJsonResponse,
  errorNotProblemJson,
  problemStatusMismatch,
  stackTraceLeak,
];
