import { parseJson, sendJson, sendProblem, type DemoRoute } from './routes.js';

/** Tags the demo keeps at most; beyond it, 507 (restart the demo to start over). */
const MAX_TAGS = 1000;
const JSON_BODY = { 'content-type': 'application/json' };
const CHALLENGE = { 'www-authenticate': 'Bearer realm="demo"' };

/** The report a caller with credentials gets (and the length an anonymous HEAD leaks). */
function report(id: string): { id: number; revenue: number } {
  return { id: Number(id), revenue: 1200 };
}

/**
 * Flaws that show over a sequence of exchanges, under /api/flawed: the rules that remember
 * earlier exchanges (and the learned half of server-error-on-bad-input). Each row with `try`
 * carries the whole sequence, in order; the other rows are its second half. Deterministic.
 */
export function crossExchangeRoutes(): DemoRoute[] {
  const tags = new Map<number, string>();
  let nextTag = 1;
  return [
    {
      method: 'POST',
      path: '/api/flawed/tags',
      rule: 'server-error-on-bad-input',
      description: 'accepts a JSON object (201 with Location), but answers 500 to a JSON array (learned from traffic)',
      try: [
        { method: 'POST', path: '/api/flawed/tags', headers: JSON_BODY, body: '{"tag":"a"}' },
        { method: 'POST', path: '/api/flawed/tags', headers: JSON_BODY, body: '["a"]' },
      ],
      handle: ({ res, body }) => {
        const parsed = parseJson(body);
        // The flaw: anything but an object (or no JSON at all) reaches code that assumes one.
        if (parsed === undefined || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('Internal Server Error');
          return;
        }
        const tag = (parsed.value as { tag?: unknown }).tag;
        if (typeof tag !== 'string' || tag === '') return sendProblem(res, 422, 'Unprocessable Content', 'a tag needs a non-empty "tag" string');
        if (tags.size >= MAX_TAGS) return sendProblem(res, 507, 'Insufficient Storage', `the demo keeps ${MAX_TAGS} tags; restart it to start over`);
        const id = nextTag++;
        tags.set(id, tag);
        sendJson(res, 201, { id, tag }, { location: `/api/flawed/tags/${id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/tags/:id',
      description: 'one tag (200), or 404 problem+json: the Location of a created tag works',
      handle: ({ res, params }) => {
        const tag = tags.get(Number(params.id));
        if (tag === undefined) return sendProblem(res, 404, 'Not Found', `no tag ${params.id}`);
        sendJson(res, 200, { id: Number(params.id), tag });
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/notes/:id',
      rule: 'not-found-masks-auth',
      description: 'serves a note with credentials, 404 without (should be 401)',
      try: [{ method: 'GET', path: '/api/flawed/notes/1', headers: { authorization: 'Bearer demo' } }, { method: 'GET', path: '/api/flawed/notes/1' }],
      handle: ({ res, params, authenticated }) => {
        if (!authenticated) return sendProblem(res, 404, 'Not Found');
        sendJson(res, 200, { id: Number(params.id), text: 'remember the milk' });
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/reports/:id',
      rule: 'protected-route-served-anonymously',
      description: 'GET refuses anonymous callers with 401, except with ?preview=1 ...',
      try: [{ method: 'GET', path: '/api/flawed/reports/1' }, { method: 'HEAD', path: '/api/flawed/reports/1' }, { method: 'GET', path: '/api/flawed/reports/1?preview=1' }],
      handle: ({ res, params, query, authenticated }) => {
        if (!authenticated && query.get('preview') !== '1') return sendProblem(res, 401, 'Unauthorized', 'send a bearer token', CHALLENGE);
        sendJson(res, 200, report(params.id ?? ''));
      },
    },
    {
      method: 'HEAD',
      path: '/api/flawed/reports/:id',
      rule: 'protected-route-served-anonymously',
      description: '... and HEAD serves anyone (200)',
      handle: ({ res, params }) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON.stringify(report(params.id ?? ''))) });
        res.end();
      },
    },
    {
      method: 'POST',
      path: '/api/flawed/uploads',
      rule: 'created-resource-not-found',
      description: 'answers 201 with a Location that then answers 404',
      try: [{ method: 'POST', path: '/api/flawed/uploads', headers: JSON_BODY, body: '{}' }, { method: 'GET', path: '/api/flawed/uploads/1' }],
      handle: ({ res }) => sendJson(res, 201, { id: 1 }, { location: '/api/flawed/uploads/1' }),
    },
    {
      method: 'GET',
      path: '/api/flawed/uploads/:id',
      rule: 'created-resource-not-found',
      description: 'never finds an upload',
      handle: ({ res, params }) => sendProblem(res, 404, 'Not Found', `no upload ${params.id}`),
    },
    {
      method: 'DELETE',
      path: '/api/flawed/users/:id',
      rule: 'deleted-resource-still-served',
      description: 'answers 204 to DELETE, but the user is still served afterwards',
      try: [{ method: 'DELETE', path: '/api/flawed/users/7' }, { method: 'GET', path: '/api/flawed/users/7' }],
      handle: ({ res }) => {
        res.writeHead(204);
        res.end();
      },
    },
    {
      method: 'GET',
      path: '/api/flawed/users/:id',
      rule: 'deleted-resource-still-served',
      description: 'serves every user, deleted or not',
      handle: ({ res, params }) => sendJson(res, 200, { id: Number(params.id), name: 'user' }),
    },
  ];
}
