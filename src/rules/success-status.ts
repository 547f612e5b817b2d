import { SAFE_METHODS } from './creation.js';
import { pickHeaders } from './evidence.js';
import type { RuleDefinition } from './types.js';

/** The 2xx statuses each method is expected to answer with; other methods are not judged. */
export const DEFAULT_SUCCESS_STATUSES: Readonly<Record<string, readonly number[]>> = {
  GET: [200, 203, 204, 206],
  HEAD: [200, 203, 204, 206],
  POST: [200, 201, 202, 204],
  PUT: [200, 201, 202, 204],
  PATCH: [200, 201, 202, 204],
  DELETE: [200, 202, 204],
};

const unexpectedSuccessStatus: RuleDefinition = {
  id: 'unexpected-success-status',
  severity: 'warning',
  enabledByDefault: true,
  summary: "a 2xx outside the method's expected set (e.g. DELETE answered 201, GET answered 202)",
  reference: 'RFC 9110 §9.3, §15.3',
  scope: 'exchange',
  check(exchange, context) {
    if (exchange.status < 200 || exchange.status > 299) return undefined;
    // A safe method answered 201 is safe-method-created's finding: one finding for one fault.
    if (exchange.status === 201 && SAFE_METHODS.has(exchange.method)) return undefined;
    const expected = context.settings.successStatuses.get(exchange.method);
    if (expected === undefined || expected.has(exchange.status)) return undefined;
    const list = [...expected].join(', ');
    return {
      message: `${exchange.method} ${exchange.path} answered ${exchange.status}, which ${exchange.method} is not expected to answer; expected one of ${list}`,
      evidence: { status: exchange.status, expected: [...expected], headers: pickHeaders(exchange.responseHeaders, ['location', 'content-type']) },
    };
  },
};

export const SUCCESS_STATUS_RULES: readonly RuleDefinition[] = [unexpectedSuccessStatus];
