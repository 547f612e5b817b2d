/**
 * What each rule's page says beyond its catalogue entry: why the expectation exists, an
 * exchange that fails and one that passes (as HTTP text), and how to fix the backend. The
 * catalogue (id, severity, summary, reference) stays in src/rules; this is documentation.
 */
export interface RuleDoc {
  readonly why: string;
  readonly failing: string;
  readonly passing: string;
  readonly fix: string;
}

const JSON_HEAD = 'Content-Type: application/json';

export const RULE_DOCS: Readonly<Record<string, RuleDoc>> = {
  'post-200-without-location': {
    why: 'A POST that creates a resource should answer 201 Created with a Location naming it; a 200 carrying the new object hides the creation from caches, clients and generated SDKs, which then cannot find the resource again.',
    failing: `POST /orders\n${JSON_HEAD}\n\n{"item":1}\n\nHTTP/1.1 200 OK\n${JSON_HEAD}\n\n{"id":42,"item":1}`,
    passing: `POST /orders\n${JSON_HEAD}\n\n{"item":1}\n\nHTTP/1.1 201 Created\nLocation: /orders/42\n${JSON_HEAD}\n\n{"id":42,"item":1}`,
    fix: 'Answer 201 with a Location header naming the created resource. If the POST is an action that creates nothing (a search, a login), add its route to ignoreRoutes.',
  },
  'created-without-location': {
    why: 'RFC 9110 says a 201 Created names the new resource in Location. Without it a client that wants to read what it created has to guess the URL.',
    failing: `POST /orders\n\nHTTP/1.1 201 Created\n${JSON_HEAD}\n\n{"id":42}`,
    passing: `POST /orders\n\nHTTP/1.1 201 Created\nLocation: /orders/42\n${JSON_HEAD}\n\n{"id":42}`,
    fix: 'Set Location on every 201 to POST, e.g. `res.location(`/orders/${id}`)` in Express.',
  },
  'server-error-on-bad-input': {
    why: 'A 5xx says the server failed, so clients retry and on-call is paged; malformed input is the client\'s fault and deserves a 4xx that tells it what to change.',
    failing: `POST /orders\n${JSON_HEAD}\n\n{"item":\n\nHTTP/1.1 500 Internal Server Error\n${JSON_HEAD}\n\n{"error":"Unexpected end of JSON input"}`,
    passing: `POST /orders\n${JSON_HEAD}\n\n{"item":\n\nHTTP/1.1 400 Bad Request\nContent-Type: application/problem+json\n\n{"title":"body is not JSON","status":400}`,
    fix: 'Validate the body before using it and answer 400 (unparseable) or 422 (valid JSON, wrong shape). Catch the parser\'s exception instead of letting it become a 500.',
  },
  'unexpected-success-status': {
    why: 'Each method has a small set of success statuses clients are written for; a DELETE that answers 201 or a GET that answers 202 breaks client code that branches on the status.',
    failing: 'DELETE /orders/42\n\nHTTP/1.1 201 Created',
    passing: 'DELETE /orders/42\n\nHTTP/1.1 204 No Content',
    fix: 'Answer with the status the method expects. If your API uses another status on purpose, list it under rules.unexpected-success-status.expected.',
  },
  'safe-method-created': {
    why: 'GET, HEAD and OPTIONS are safe (RFC 9110 §9.2.1): crawlers, prefetchers and caches send them freely. A GET that creates something creates it every time one of them passes.',
    failing: 'GET /reports/today\n\nHTTP/1.1 201 Created\nLocation: /reports/7',
    passing: 'POST /reports\n\nHTTP/1.1 201 Created\nLocation: /reports/7',
    fix: 'Move the creation to a POST (or PUT); let GET only read.',
  },
  'body-on-no-content': {
    why: 'A 204 or 304 ends at its headers. Bytes after them are read by the client as the start of the next response on the connection, which corrupts it (response splitting by accident).',
    failing: 'DELETE /orders/42\n\nHTTP/1.1 204 No Content\nContent-Length: 2\n\n{}',
    passing: 'DELETE /orders/42\n\nHTTP/1.1 204 No Content',
    fix: 'Send no body and no Content-Length/Transfer-Encoding with 204; answer 200 if there is something to say.',
  },
  'body-on-head': {
    why: 'A response to HEAD has headers only (RFC 9110 §9.3.2). Content after them desynchronises the connection for the next exchange.',
    failing: 'HEAD /orders/42\n\nHTTP/1.1 200 OK\nContent-Length: 9\n\n{"id":42}',
    passing: 'HEAD /orders/42\n\nHTTP/1.1 200 OK\nContent-Length: 9',
    fix: 'Let the framework answer HEAD from the GET handler (Express and most others do) instead of writing a body in a custom HEAD handler.',
  },
  'unauthorized-without-www-authenticate': {
    why: 'RFC 9110 requires a 401 to carry a WWW-Authenticate challenge: it is how a client learns which scheme to use. Without it, 403 says the same thing honestly.',
    failing: 'GET /me\n\nHTTP/1.1 401 Unauthorized\nContent-Type: application/json\n\n{"error":"login first"}',
    passing: 'GET /me\n\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm="api"',
    fix: 'Add `WWW-Authenticate: Bearer realm="api"` (or your scheme) to every 401.',
  },
  'method-not-allowed-without-allow': {
    why: 'RFC 9110 requires a 405 to list the methods the resource supports in Allow, so a client can correct itself.',
    failing: 'DELETE /catalog\n\nHTTP/1.1 405 Method Not Allowed',
    passing: 'DELETE /catalog\n\nHTTP/1.1 405 Method Not Allowed\nAllow: GET, HEAD',
    fix: 'Send Allow with the supported methods on every 405.',
  },
  'redirect-without-location': {
    why: 'A redirect tells the client where to go in Location; without it, the client has nowhere to follow and shows an error.',
    failing: 'GET /old\n\nHTTP/1.1 301 Moved Permanently',
    passing: 'GET /old\n\nHTTP/1.1 301 Moved Permanently\nLocation: /new',
    fix: 'Always set Location on 301, 302, 303, 307 and 308.',
  },
  'error-payload-with-success-status': {
    why: 'Monitoring, retries, caches and client libraries read the status code, not the body. An error reported as 200 counts as a success everywhere that matters.',
    failing: `GET /orders/42\n\nHTTP/1.1 200 OK\n${JSON_HEAD}\n\n{"success":false,"error":"not found"}`,
    passing: `GET /orders/42\n\nHTTP/1.1 404 Not Found\nContent-Type: application/problem+json\n\n{"title":"no such order","status":404}`,
    fix: 'Answer the error with its 4xx/5xx status; keep the envelope if clients need it.',
  },
  'invalid-json-response': {
    why: 'A response that says it is JSON and does not parse makes every client throw. It usually means a truncated write, an HTML error page or string-built JSON.',
    failing: `GET /orders\n\nHTTP/1.1 200 OK\n${JSON_HEAD}\n\n{"orders":[1,2,`,
    passing: `GET /orders\n\nHTTP/1.1 200 OK\n${JSON_HEAD}\n\n{"orders":[1,2,3]}`,
    fix: 'Serialise with JSON.stringify (or the framework\'s json()), never by concatenation; label HTML error pages text/html.',
  },
  'error-not-problem-json': {
    why: 'RFC 9457 gives errors one machine-readable shape (type, title, status, detail), so clients need one error parser for every API.',
    failing: `GET /orders/9\n\nHTTP/1.1 404 Not Found\n${JSON_HEAD}\n\n{"error":"no such order"}`,
    passing: 'GET /orders/9\n\nHTTP/1.1 404 Not Found\nContent-Type: application/problem+json\n\n{"title":"no such order","status":404}',
    fix: 'Answer errors as application/problem+json. The rule is off by default: turn it on with rules.error-not-problem-json.enabled: true.',
  },
  'problem-status-mismatch': {
    why: 'RFC 9457 §3.1.2: the status member of a problem must be the HTTP status. Clients that log or branch on the body otherwise act on a wrong code.',
    failing: 'GET /orders/9\n\nHTTP/1.1 404 Not Found\nContent-Type: application/problem+json\n\n{"title":"oops","status":500}',
    passing: 'GET /orders/9\n\nHTTP/1.1 404 Not Found\nContent-Type: application/problem+json\n\n{"title":"no such order","status":404}',
    fix: 'Fill the status member from the status you send (one helper for both).',
  },
  'partial-without-content-range': {
    why: 'A 206 carries part of a representation; Content-Range says which part. Without it a client cannot place the bytes and corrupts downloads it resumes.',
    failing: 'GET /files/1\nRange: bytes=0-99\n\nHTTP/1.1 206 Partial Content\nContent-Length: 100',
    passing: 'GET /files/1\nRange: bytes=0-99\n\nHTTP/1.1 206 Partial Content\nContent-Range: bytes 0-99/5000\nContent-Length: 100',
    fix: 'Send Content-Range with every single-range 206, or answer 200 with the whole representation.',
  },
  'missing-content-type': {
    why: 'Without Content-Type a client has to sniff the content, and browsers may sniff it as HTML (a cross-site scripting risk).',
    failing: 'GET /orders/42\n\nHTTP/1.1 200 OK\nContent-Length: 9\n\n{"id":42}',
    passing: `GET /orders/42\n\nHTTP/1.1 200 OK\n${JSON_HEAD}\nContent-Length: 9\n\n{"id":42}`,
    fix: 'Set Content-Type on every response with content.',
  },
  'stack-trace-leak': {
    why: 'A stack trace tells an attacker the framework, versions, file layout and sometimes data (CWE-209), and tells a legitimate client nothing it can act on.',
    failing: 'GET /orders/x\n\nHTTP/1.1 500 Internal Server Error\nContent-Type: text/plain\n\nTypeError: x is undefined\n    at handler (/app/src/orders.js:12:7)',
    passing: 'GET /orders/x\n\nHTTP/1.1 500 Internal Server Error\nContent-Type: application/problem+json\n\n{"title":"internal error","status":500}',
    fix: 'Log the stack on the server and answer a generic error; turn off debug error pages in production (NODE_ENV=production, DEBUG=False).',
  },
  'forbidden-without-credentials': {
    why: '403 means "I know who you are and the answer is no"; a request with no credentials at all should get 401 with a challenge, so the client knows to authenticate.',
    failing: 'GET /admin\n\nHTTP/1.1 403 Forbidden',
    passing: 'GET /admin\n\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm="api"',
    fix: 'Answer 401 with WWW-Authenticate when no credentials were sent; keep 403 for authenticated callers without permission.',
  },
  'not-found-masks-auth': {
    why: 'A 404 to an anonymous caller on a path that exists tells clients the resource is gone, and hides an authentication problem. RFC 9110 allows hiding on purpose: this is a policy finding.',
    failing: 'GET /orders/42   (Authorization: Bearer …)\n\nHTTP/1.1 200 OK\n\nGET /orders/42   (no credentials)\n\nHTTP/1.1 404 Not Found',
    passing: 'GET /orders/42   (no credentials)\n\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm="api"',
    fix: 'Answer 401 (or 403) to anonymous callers of protected resources, or turn the rule off if hiding with 404 is your policy.',
  },
  'protected-route-served-anonymously': {
    why: 'A route that refused anonymous callers and then serves one has lost its authentication check, usually in a deploy: a data leak.',
    failing: 'GET /orders/1   (no credentials)\n\nHTTP/1.1 401 Unauthorized\n\nGET /orders/2   (no credentials)\n\nHTTP/1.1 200 OK',
    passing: 'GET /orders/2   (no credentials)\n\nHTTP/1.1 401 Unauthorized',
    fix: 'Put the authentication check back on every handler of the route (a middleware on the router, not per handler).',
  },
  'created-resource-not-found': {
    why: 'A 201 promises the resource exists at Location. A 404 there means the creation was lost, written elsewhere, or Location is wrong.',
    failing: 'POST /orders\n\nHTTP/1.1 201 Created\nLocation: /orders/42\n\nGET /orders/42\n\nHTTP/1.1 404 Not Found',
    passing: 'GET /orders/42\n\nHTTP/1.1 200 OK',
    fix: 'Make Location name the resource as GET finds it, and commit the write before answering 201 (or answer 202 if it is asynchronous).',
  },
  'deleted-resource-still-served': {
    why: 'A 200/204 DELETE says the resource is gone; serving it afterwards means the delete did not happen or a cache still holds it.',
    failing: 'DELETE /orders/42\n\nHTTP/1.1 204 No Content\n\nGET /orders/42\n\nHTTP/1.1 200 OK',
    passing: 'GET /orders/42\n\nHTTP/1.1 404 Not Found',
    fix: 'Delete before answering (or answer 202 for an asynchronous delete) and invalidate caches of the path.',
  },
  'head-not-supported': {
    why: 'RFC 9110 §9.1: general-purpose servers must support HEAD wherever they support GET; link checkers, caches and download tools use it.',
    failing: 'GET /orders/42\n\nHTTP/1.1 200 OK\n\nHEAD /orders/42\n\nHTTP/1.1 405 Method Not Allowed',
    passing: 'HEAD /orders/42\n\nHTTP/1.1 200 OK\nContent-Length: 9',
    fix: 'Route HEAD to the GET handler (most frameworks do unless a router registers GET only).',
  },
  'allow-omits-working-method': {
    why: 'Allow lists the methods the resource supports; leaving out one that works misleads clients and tools that read it.',
    failing: 'GET /orders\n\nHTTP/1.1 200 OK\n\nDELETE /orders\n\nHTTP/1.1 405 Method Not Allowed\nAllow: POST',
    passing: 'DELETE /orders\n\nHTTP/1.1 405 Method Not Allowed\nAllow: GET, HEAD, POST',
    fix: 'Build Allow from the router\'s table of methods, not by hand.',
  },
  'put-created-without-201': {
    why: 'RFC 9110 §9.3.4: a PUT that creates the resource must answer 201, so the client knows it created rather than replaced.',
    failing: 'GET /orders/42\n\nHTTP/1.1 404 Not Found\n\nPUT /orders/42\n\nHTTP/1.1 200 OK',
    passing: 'PUT /orders/42\n\nHTTP/1.1 201 Created',
    fix: 'Answer 201 when the PUT created the resource, 200/204 when it replaced one.',
  },
  'undocumented-operation': {
    why: 'An operation that answers but is not in the spec is a shadow endpoint: untested by contract tests, unknown to clients and reviewers.',
    failing: 'DELETE /orders   (not in the spec)\n\nHTTP/1.1 200 OK',
    passing: 'DELETE /orders   (not in the spec)\n\nHTTP/1.1 405 Method Not Allowed\nAllow: GET, POST',
    fix: 'Document the operation in the spec, or remove it from the backend.',
  },
  'undocumented-status': {
    why: 'Clients generated from the spec do not handle a status it does not list.',
    failing: 'GET /orders/42   (spec documents 200 and 404)\n\nHTTP/1.1 409 Conflict',
    passing: 'GET /orders/42\n\nHTTP/1.1 404 Not Found',
    fix: 'Document the status (or a 4XX range, or default) in the spec, or stop sending it.',
  },
  'undocumented-content-type': {
    why: 'Clients generated from the spec parse only the media types it lists for a status.',
    failing: 'GET /orders/42   (spec documents application/json)\n\nHTTP/1.1 200 OK\nContent-Type: text/html',
    passing: `GET /orders/42\n\nHTTP/1.1 200 OK\n${JSON_HEAD}`,
    fix: 'Answer with a documented media type, or document the one you send.',
  },
  'response-schema-mismatch': {
    why: 'A body that breaks its documented schema breaks every client that trusted the spec.',
    failing: `GET /orders/42   (spec: id is an integer)\n\nHTTP/1.1 200 OK\n${JSON_HEAD}\n\n{"id":"42"}`,
    passing: `GET /orders/42\n\nHTTP/1.1 200 OK\n${JSON_HEAD}\n\n{"id":42}`,
    fix: 'Make the backend produce what the spec says, or correct the spec. The evidence names the JSON pointer and keyword, never the value.',
  },
  'request-schema-violation-accepted': {
    why: 'A backend that accepts input its own spec forbids stores data it will later fail on, and hides validation bugs.',
    failing: `POST /orders   (spec: item is required)\n${JSON_HEAD}\n\n{}\n\nHTTP/1.1 201 Created`,
    passing: `POST /orders\n${JSON_HEAD}\n\n{}\n\nHTTP/1.1 422 Unprocessable Content`,
    fix: 'Validate request bodies against the spec (a validation middleware generated from it) and answer 400/422.',
  },
  'missing-documented-header': {
    why: 'A header the spec marks required is one clients rely on (a Location, a rate-limit header, an ETag).',
    failing: 'POST /orders   (spec: Location required on 201)\n\nHTTP/1.1 201 Created',
    passing: 'POST /orders\n\nHTTP/1.1 201 Created\nLocation: /orders/42',
    fix: 'Send the header, or stop marking it required in the spec.',
  },
};
