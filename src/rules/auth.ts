import { pickHeaders } from './evidence.js';
import type { RuleDefinition } from './types.js';

const forbiddenWithoutCredentials: RuleDefinition = {
  id: 'forbidden-without-credentials',
  severity: 'info',
  enabledByDefault: true,
  summary: '403 to a request that carried no credentials at all: should be 401',
  reference: 'RFC 9110 §15.5.2, §15.5.4',
  scope: 'exchange',
  check(exchange) {
    if (exchange.status !== 403 || exchange.hasCredentials) return undefined;
    return {
      message: `${exchange.method} ${exchange.path} answered 403 to a request without any credentials; when authenticating could help, the answer is 401 with a WWW-Authenticate challenge`,
      evidence: { status: 403, credentialsPresent: false, headers: pickHeaders(exchange.responseHeaders, ['content-type', 'www-authenticate']) },
    };
  },
};

export const AUTH_RULES: readonly RuleDefinition[] = [forbiddenWithoutCredentials];
