/** The single-exchange rule ids of the public contract, in its order. */
export const EXCHANGE_RULE_IDS = [
  'post-200-without-location',
  'created-without-location',
  'server-error-on-bad-input',
  'unexpected-success-status',
  'safe-method-created',
  'body-on-no-content',
  'body-on-head',
  'unauthorized-without-www-authenticate',
  'method-not-allowed-without-allow',
  'redirect-without-location',
  'error-payload-with-success-status',
  'invalid-json-response',
  'error-not-problem-json',
  'problem-status-mismatch',
  'partial-without-content-range',
  'missing-content-type',
  'stack-trace-leak',
  'forbidden-without-credentials',
] as const;

/** The cross-exchange rule ids, in the contract's order. */
export const MEMORY_RULE_IDS = [
  'not-found-masks-auth',
  'protected-route-served-anonymously',
  'created-resource-not-found',
  'deleted-resource-still-served',
  'head-not-supported',
  'allow-omits-working-method',
  'put-created-without-201',
] as const;

/** The rule ids that judge against a spec (`--spec`), in the contract's order. */
export const SPEC_RULE_IDS = [
  'undocumented-operation',
  'undocumented-status',
  'undocumented-content-type',
  'response-schema-mismatch',
  'request-schema-violation-accepted',
  'missing-documented-header',
] as const;

/** Every built-in rule id of the public contract. Config keys under `rules:` must be one of these. */
export const RULE_IDS = [...EXCHANGE_RULE_IDS, ...MEMORY_RULE_IDS, ...SPEC_RULE_IDS] as const;

export type RuleId = (typeof RULE_IDS)[number];
