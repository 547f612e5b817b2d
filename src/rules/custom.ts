import type { CustomRuleConfig } from '../config/schema.js';
import { templateMatcher } from '../routes/route-trie.js';
import { pickHeaders } from './evidence.js';
import type { RuleDefinition } from './types.js';

/** Turns a `custom:` entry of the config into a rule like the built-in ones. */
export function compileCustomRule(config: CustomRuleConfig): RuleDefinition {
  const methods = config.when.method === undefined ? undefined : new Set([config.when.method].flat());
  const whenStatus = config.when.status === undefined ? undefined : new Set([config.when.status].flat());
  const route = config.when.route;
  const underRoute = route === undefined ? undefined : templateMatcher(route);
  const expectStatus = config.expect.status === undefined ? undefined : new Set(config.expect.status);
  const expectHeaders = config.expect.headers ?? [];
  const expected = describeExpectation(config);

  const routeMatches = (template: string, path: string): boolean => underRoute === undefined || template === route || underRoute(path);

  return {
    id: config.id,
    severity: config.severity,
    enabledByDefault: true,
    summary: config.message ?? `${describeWhen(config)}: ${expected}`,
    reference: 'custom rule (config)',
    scope: 'exchange',
    check(exchange) {
      if (methods !== undefined && !methods.has(exchange.method)) return undefined;
      if (whenStatus !== undefined && !whenStatus.has(exchange.status)) return undefined;
      if (!routeMatches(exchange.route, exchange.path)) return undefined;
      const badStatus = expectStatus !== undefined && !expectStatus.has(exchange.status);
      const missing = expectHeaders.filter((name) => exchange.responseHeaders[name] === undefined);
      if (!badStatus && missing.length === 0) return undefined;
      const seen = [badStatus ? `status ${exchange.status}` : '', missing.length > 0 ? `no ${missing.join(', ')}` : '']
        .filter(Boolean)
        .join(' and ');
      return {
        message: `${exchange.method} ${exchange.path} answered with ${seen}; ${config.message ?? `expected ${expected}`}`,
        evidence: {
          status: exchange.status,
          expected: { status: config.expect.status, headers: config.expect.headers },
          missingHeaders: missing,
          headers: pickHeaders(exchange.responseHeaders, expectHeaders),
        },
      };
    },
  };
}

function describeExpectation(config: CustomRuleConfig): string {
  const parts: string[] = [];
  if (config.expect.status !== undefined) parts.push(`status ${config.expect.status.join(' or ')}`);
  if (config.expect.headers !== undefined) parts.push(`headers ${config.expect.headers.join(', ')}`);
  return parts.join(' with ');
}

function describeWhen(config: CustomRuleConfig): string {
  const method = config.when.method === undefined ? 'any method' : [config.when.method].flat().join('/');
  return `${method} ${config.when.route ?? 'any route'}`;
}
