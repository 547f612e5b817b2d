import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { RULE_IDS, type RuleId } from '../rules/ids.js';
import { SEVERITIES } from '../rules/types.js';

/**
 * The one schema of restaudit's configuration: it gives the defaults, the TypeScript type
 * and the error messages. Unknown keys are errors everywhere (strict objects).
 */

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

/** `HOST:PORT`, IPv6 hosts in brackets. */
const hostPort = z.string().refine(
  (value) => {
    const match = HOST_PORT.exec(value);
    return match !== null && Number(match[1]) <= 65535;
  },
  { message: 'expected HOST:PORT, e.g. 0.0.0.0:8080' },
);

const targetUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  },
  { message: 'expected an http:// or https:// URL without query or fragment, e.g. http://backend:8080' },
);

const routeTemplate = z.string().regex(/^\/\S*$/, { message: 'expected a path template starting with /, e.g. /users/:id' });
const severity = z.enum(SEVERITIES, { message: `expected one of ${SEVERITIES.join(', ')}` });
const positiveInt = z.number({ message: 'expected a number' }).int({ message: 'expected a whole number' }).positive({ message: 'expected a number above 0' });
const httpMethod = z.string().regex(/^[A-Za-z]+$/, { message: 'expected an HTTP method, e.g. POST' }).transform((m) => m.toUpperCase());
const statusCode = z.number({ message: 'expected a status code' }).int({ message: 'expected a whole number' }).min(100, { message: 'expected a status code from 100 to 599' }).max(599, { message: 'expected a status code from 100 to 599' });
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'expected a header name' }).transform((h) => h.toLowerCase());

/** The most worker processes `workers` may ask for. */
export const MAX_WORKERS = 64;

/**
 * Worker processes: a whole number, or `auto` for one per CPU the process may use. Flags and
 * env vars arrive as strings, so digits are read as the number they spell.
 */
const workers = z
  .union([z.literal('auto'), z.number(), z.string().regex(/^\d+$/).transform(Number)], { message: `expected a whole number from 1 to ${MAX_WORKERS}, or auto` })
  .transform((value) => (value === 'auto' ? Math.min(MAX_WORKERS, availableParallelism()) : value))
  .refine((n) => Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS, { message: `expected a whole number from 1 to ${MAX_WORKERS}, or auto` });

/** Milliseconds, 0 for none. */
const optionalMs = z.number({ message: 'expected a number' }).int({ message: 'expected a whole number' }).min(0, { message: 'expected 0 (none) or more' });

const upstream = z.strictObject({
  /**
   * No response head within this many milliseconds of the request having been sent in full
   * (its last byte handed to the upstream connection): 504 to the client. nginx's
   * `proxy_read_timeout` before the head, Envoy's route `timeout`. Default 30000.
   */
  timeoutMs: positiveInt.default(30_000),
  /** No TCP (and TLS) connection to the upstream within this: 504. nginx `proxy_connect_timeout`, Envoy `connect_timeout`. Default 10000. */
  connectTimeoutMs: positiveInt.default(10_000),
  /**
   * After the response head: no byte of the response body from the upstream for this long
   * (while the client is reading) cuts the response off, counted as reason `timeout`.
   * nginx `proxy_read_timeout`, Envoy `idle_timeout` (stream). Default 60000.
   */
  idleTimeoutMs: positiveInt.default(60_000),
  /** Accept self-signed upstream certificates. Default false. */
  insecureTls: z.boolean({ message: 'expected true or false' }).default(false),
  /** Rewrite Host to the target's host. Default false. */
  changeOrigin: z.boolean({ message: 'expected true or false' }).default(false),
});

const jsonSampling = z.strictObject({
  /** False scans every declared-JSON response. Default true. */
  enabled: z.boolean({ message: 'expected true or false' }).default(true),
  /** Responses of each method, route, status class and media type scanned in full first. Default 100. */
  inspectFirst: positiveInt.default(100),
  /** Then one response in this many of that shape. Default 10. */
  thenEvery: positiveInt.default(10),
  /** Smaller bodies are always scanned. Default 16384. */
  minBytes: z.number({ message: 'expected a number' }).int({ message: 'expected a whole number' }).min(0, { message: 'expected 0 or more' }).default(16_384),
});

const client = z.strictObject({
  /** The whole request head must arrive within this, or 408 and the connection closes (slowloris). nginx `client_header_timeout`, Envoy `request_headers_timeout`. Default 60000. */
  headerTimeoutMs: positiveInt.default(60_000),
  /** No byte of the request body for this long: 408 when the client stopped sending; 504 (reason `timeout`) when the upstream stopped reading. nginx `client_body_timeout`. Default 60000. */
  bodyTimeoutMs: positiveInt.default(60_000),
  /** The whole request, head and body, must arrive within this; 0 for no limit. Envoy `request_timeout`, Node's `requestTimeout`. Default 300000. */
  requestTimeoutMs: optionalMs.default(300_000),
  /** An idle kept-alive client connection is closed after this. nginx `keepalive_timeout`, Envoy `idle_timeout` (connection). Default 5000. */
  keepAliveTimeoutMs: positiveInt.default(5_000),
}).superRefine((value, ctx) => {
  if (value.requestTimeoutMs > 0 && value.headerTimeoutMs > value.requestTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['headerTimeoutMs'], message: `expected at most client.requestTimeoutMs (${value.requestTimeoutMs})` });
  }
});

const inspect = z.strictObject({
  /** Bytes of each body kept for the rules, per direction. Default 65536. */
  maxBodyBytes: z.number({ message: 'expected a number' }).int({ message: 'expected a whole number' }).min(0, { message: 'expected 0 or more' }).default(65_536),
  /** Rations the JSON validity pass on large responses (docs/performance.md). */
  jsonSampling: jsonSampling.prefault({}),
});

const credentials = z.strictObject({
  /** Request headers that make a request authenticated. */
  headers: z.array(headerName).default(['authorization', 'x-api-key', 'proxy-authorization']),
  /** Cookies that make a request authenticated. */
  cookies: z.array(z.string().min(1, { message: 'expected a cookie name' })).default(['session', 'sid', 'sessionid', 'connect.sid', 'JSESSIONID', 'PHPSESSID', '_session']),
});

const memory = z.strictObject({
  /** Exchanges remembered for the cross-exchange rules. Default 100000. */
  maxEntries: positiveInt.default(100_000),
  /** How long an exchange is remembered, in seconds. Default 900. */
  ttlSeconds: positiveInt.default(900),
});

const metrics = z.strictObject({
  /** Distinct route labels; beyond it, route="__other__". Default 500. */
  maxRoutes: positiveInt.default(500),
});

const ruleOverride = z.strictObject({
  /** Turn the rule on or off. */
  enabled: z.boolean({ message: 'expected true or false' }).optional(),
  /** Change its severity. */
  severity: severity.optional(),
  /** Routes (templates or exact paths) the rule never judges. */
  ignoreRoutes: z.array(routeTemplate).optional(),
});

const successStatusOverride = ruleOverride.extend({
  /** The expected 2xx statuses per method (the contract's sets by default). */
  expected: z.record(httpMethod, z.array(statusCode)).optional(),
});

/** One optional entry per built-in rule id: any other key is an unknown rule. */
const rules = z.strictObject(
  Object.fromEntries(
    RULE_IDS.map((id) => [id, (id === 'unexpected-success-status' ? successStatusOverride : ruleOverride).optional()]),
  ) as Record<RuleId, z.ZodOptional<typeof ruleOverride>> & { 'unexpected-success-status': z.ZodOptional<typeof successStatusOverride> },
);

const ruleIdSet: ReadonlySet<string> = new Set(RULE_IDS);

const customRule = z.strictObject({
  /** The rule id in metrics and logs; must not be a built-in id. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'expected a lower-case id of letters, digits and dashes' }).refine((id) => !ruleIdSet.has(id), { message: 'is a built-in rule id; choose another' }),
  when: z.strictObject({
    method: z.union([httpMethod, z.array(httpMethod)]).optional(),
    route: routeTemplate.optional(),
    status: z.union([statusCode, z.array(statusCode)]).optional(),
  }),
  expect: z.strictObject({
    status: z.array(statusCode).min(1, { message: 'expected at least one status' }).optional(),
    headers: z.array(headerName).optional(),
  }).refine((e) => e.status !== undefined || e.headers !== undefined, { message: 'expected status or headers (or both)' }),
  severity: severity.default('warning'),
  message: z.string().min(1, { message: 'expected a message' }).optional(),
});

export const configSchema = z.strictObject({
  /** The upstream to proxy to. Default: none, the embedded demo backend. */
  target: targetUrl.optional(),
  /** Where the proxy listens. Default 0.0.0.0:8080. */
  listen: hostPort.default('0.0.0.0:8080'),
  /** Where the admin server (metrics, health, violations) listens. Default 127.0.0.1:9464. */
  admin: hostPort.default('127.0.0.1:9464'),
  /**
   * When set, every admin endpoint but /healthz requires it: `Authorization: Bearer TOKEN`,
   * or Basic auth with TOKEN as the password. Default "" (none). Env: RESTAUDIT_ADMIN_TOKEN.
   */
  adminToken: z.string({ message: 'expected a string' }).regex(/^[\x21-\x7e]*$/, { message: 'expected printable ASCII without spaces' }).default(''),
  /** Proxy worker processes (node:cluster); 1 runs everything in one process. Default 1. */
  workers: workers.default(1),
  upstream: upstream.prefault({}),
  /** Timeouts on the client side: slow heads and bodies, idle kept-alive connections. */
  client: client.prefault({}),
  inspect: inspect.prefault({}),
  /**
   * An OpenAPI 3.0/3.1 document (YAML or JSON) that sharpens findings; its path templates
   * become routes. Relative to the config file. Default: none.
   */
  spec: z.string().min(1, { message: 'expected the path of an OpenAPI document' }).optional(),
  /** Route templates: metric labels and the unit the stateful rules learn on. */
  routes: z.array(routeTemplate).default([]),
  credentials: credentials.prefault({}),
  memory: memory.prefault({}),
  metrics: metrics.prefault({}),
  /** Per built-in rule: enabled, severity, ignoreRoutes. */
  rules: rules.default({}),
  /** User rules: a method/route/status matcher and what must hold. */
  custom: z.array(customRule).default([]).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate custom rule id ${rule.id}` });
      seen.add(rule.id);
    });
  }),
});

/** The validated, defaulted configuration. */
export type Config = z.output<typeof configSchema>;
export type CustomRuleConfig = Config['custom'][number];
export type RuleOverride = z.output<typeof successStatusOverride>;
