import type { Exchange } from '../capture/exchange.js';
import { findMedia, type SpecContext } from '../spec/spec-context.js';
import { pickHeaders } from './evidence.js';
import type { RuleContext, RuleDefinition, Verdict } from './types.js';

/**
 * The rules a spec (`--spec`) adds: the document against the traffic. They run only with a
 * spec, and judge nothing the document does not describe. Evidence names where a body
 * failed (a JSON pointer) and which keyword, never the value.
 */

/** The spec's view of an exchange it can judge, or undefined. */
function judged(context: RuleContext): SpecContext | undefined {
  const spec = context.spec;
  return spec?.judged === true ? spec : undefined;
}

function where(pointer: string): string {
  return pointer === '' ? 'the body' : `body ${pointer}`;
}

const undocumentedOperation: RuleDefinition = {
  id: 'undocumented-operation',
  severity: 'warning',
  enabledByDefault: true,
  requiresSpec: true,
  summary: 'a method+path that matches no operation of the spec answered other than 404 or 405 (a shadow endpoint)',
  reference: 'OpenAPI 3.1 §4.8.8 (Paths Object); OWASP API9:2023 improper inventory management; CWE-1059',
  scope: 'exchange',
  check(exchange, context) {
    const spec = judged(context);
    if (spec === undefined || spec.operation !== undefined || exchange.status === 404 || exchange.status === 405) return undefined;
    const documented = spec.path === undefined ? 'no documented path matches it' : `its path ${spec.path.template} documents ${[...spec.path.operations.keys()].join(', ')}`;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} but the spec documents no such operation (${documented}); document it, or remove the endpoint`,
      evidence: { status: exchange.status, documentedPath: spec.path?.template, documentedMethods: spec.path === undefined ? undefined : [...spec.path.operations.keys()] },
    };
  },
};

const undocumentedStatus: RuleDefinition = {
  id: 'undocumented-status',
  severity: 'warning',
  enabledByDefault: true,
  requiresSpec: true,
  summary: 'a status the operation documents neither exactly, nor as a range (4XX), nor through default',
  reference: 'OpenAPI 3.1 §4.8.16 (Responses Object); RFC 9110 §15',
  scope: 'exchange',
  check(exchange, context) {
    const spec = judged(context);
    const operation = spec?.operation;
    if (spec === undefined || operation === undefined || spec.response() !== undefined) return undefined;
    // A 304 answers the client's own conditional request: caching, not the operation.
    if (exchange.status === 304 && (exchange.requestHeaders['if-none-match'] !== undefined || exchange.requestHeaders['if-modified-since'] !== undefined)) return undefined;
    const documented = [...operation.responses.keys()];
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status}, which ${operation.name} does not document (documented: ${documented.join(', ') || 'none'})`,
      evidence: { status: exchange.status, operation: operation.name, documented },
    };
  },
};

const undocumentedContentType: RuleDefinition = {
  id: 'undocumented-content-type',
  severity: 'warning',
  enabledByDefault: true,
  requiresSpec: true,
  summary: 'a response with content whose media type is not among those documented for its status',
  reference: 'OpenAPI 3.1 §4.8.17 (Response Object content); RFC 9110 §8.3',
  scope: 'exchange',
  check(exchange, context) {
    const spec = judged(context);
    const response = spec?.response();
    // A response documenting no content at all is not judged: many documents leave error bodies out.
    if (spec?.operation === undefined || response?.media === undefined || exchange.responseBody.size === 0) return undefined;
    const mediaType = context.response.mediaType;
    // No Content-Type is missing-content-type's finding.
    if (mediaType === '' || findMedia(response.media, mediaType) !== undefined) return undefined;
    const documented = response.media.map((media) => media.range);
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} as ${mediaType}, but ${spec.operation.name} documents ${documented.join(', ') || 'no content'} for ${response.key}`,
      evidence: { status: exchange.status, operation: spec.operation.name, response: response.key, documented, headers: pickHeaders(exchange.responseHeaders, ['content-type']) },
    };
  },
};

const responseSchemaMismatch: RuleDefinition = {
  id: 'response-schema-mismatch',
  severity: 'error',
  enabledByDefault: true,
  requiresSpec: true,
  summary: 'a JSON response body (not truncated) that does not validate against the schema documented for its status and media type',
  reference: 'OpenAPI 3.1 §4.8.14 (Media Type Object schema); JSON Schema 2020-12 Validation; RFC 8259',
  scope: 'exchange',
  check(exchange, context) {
    const spec = judged(context);
    const response = spec?.response();
    if (spec?.operation === undefined || response?.media === undefined || exchange.method === 'HEAD') return undefined;
    if (exchange.status === 206 || exchange.responseBody.size === 0 || exchange.responseBody.truncated || !context.response.declaredJson) return undefined;
    const media = findMedia(response.media, context.response.mediaType);
    if (media?.check === undefined) return undefined;
    const body = context.response.json();
    if (body.kind !== 'json') return undefined;
    const violation = media.check(body.value);
    if (violation === undefined) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} with a body that does not match the documented schema: ${where(violation.pointer)} fails ${violation.keyword} (${violation.detail})`,
      evidence: { status: exchange.status, operation: spec.operation.name, response: response.key, mediaType: media.range, schema: media.schemaPointer, ...violation },
    };
  },
};

/** The verdict on a request body that violates its documented schema, for the rules that judge one. */
export function requestSchemaVerdict(exchange: Exchange, context: RuleContext, consequence: string): Verdict | undefined {
  const spec = judged(context);
  const violation = spec?.requestViolation();
  if (spec?.operation === undefined || violation === undefined) return undefined;
  const { mediaType, schema, ...failure } = violation;
  return {
    message: `${exchange.method} ${exchange.path} answered ${exchange.status} to a request body that violates the documented schema: ${where(violation.pointer)} fails ${violation.keyword} (${violation.detail}); ${consequence}`,
    evidence: { status: exchange.status, cause: 'request-schema-violation', operation: spec.operation.name, mediaType: mediaType || undefined, schema, ...failure },
  };
}

const requestSchemaViolationAccepted: RuleDefinition = {
  id: 'request-schema-violation-accepted',
  severity: 'error',
  enabledByDefault: true,
  requiresSpec: true,
  summary: "a request whose JSON body violates the operation's documented request schema answered 2xx: invalid input accepted",
  reference: 'OpenAPI 3.1 §4.8.13 (Request Body Object); RFC 9110 §15.5.1',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.status < 200 || exchange.status > 299) return undefined;
    return requestSchemaVerdict(exchange, context, 'invalid input should be refused with 400 or 422');
  },
};

const missingDocumentedHeader: RuleDefinition = {
  id: 'missing-documented-header',
  severity: 'warning',
  enabledByDefault: true,
  requiresSpec: true,
  summary: 'a response without a header the spec marks required for that status',
  reference: 'OpenAPI 3.1 §4.8.21 (Header Object required); RFC 9110 §5',
  scope: 'exchange',
  check(exchange, context) {
    const spec = judged(context);
    const response = spec?.response();
    if (spec?.operation === undefined || response === undefined || response.requiredHeaders.length === 0) return undefined;
    const missing = response.requiredHeaders.filter((name) => exchange.responseHeaders[name] === undefined);
    if (missing.length === 0) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status} without ${missing.join(', ')}, which ${spec.operation.name} marks required for ${response.key}`,
      evidence: { status: exchange.status, operation: spec.operation.name, response: response.key, missingHeaders: missing },
    };
  },
};

/** The spec rules, in the contract's order. */
export const SPEC_RULES: readonly RuleDefinition[] = [
  undocumentedOperation,
  undocumentedStatus,
  undocumentedContentType,
  responseSchemaMismatch,
  requestSchemaViolationAccepted,
  missingDocumentedHeader,
];
