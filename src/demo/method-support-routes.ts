import { parseJson, sendJson, sendProblem, type DemoRoute } from './routes.js';

/** Profiles the demo keeps at most; beyond it, 507 (restart the demo to start over). */
const MAX_PROFILES = 1000;
const JSON_BODY = { 'content-type': 'application/json' };

/**
 * Flaws in which methods a resource supports and what they answer, under /api/flawed: each
 * the default of a real framework (LoopBack 4 answers HEAD with 404 where GET works; FastAPI
 * lists one route's methods in Allow and its upsert example answers a creating PUT with 200).
 * Each row with `try` carries its whole sequence. Deterministic.
 */
export function methodSupportRoutes(): DemoRoute[] {
  const profiles = new Map<string, unknown>();
  return [
    {
      method: 'GET',
      path: '/api/flawed/todos/:id',
      rule: 'head-not-supported',
      description: 'serves a todo to GET ...',
      try: [{ method: 'GET', path: '/api/flawed/todos/1' }, { method: 'HEAD', path: '/api/flawed/todos/1' }],
      handle: ({ res, params }) => sendJson(res, 200, { id: Number(params.id), title: 'water the plants', done: false }),
    },
    {
      method: 'HEAD',
      path: '/api/flawed/todos/:id',
      rule: 'head-not-supported',
      description: '... but answers HEAD with 404 (a router that registered GET only)',
      handle: ({ res }) => sendProblem(res, 404, 'Not Found'),
    },
    {
      method: 'GET',
      path: '/api/flawed/settings/:name',
      description: 'one setting (200)',
      handle: ({ res, params }) => sendJson(res, 200, { name: params.name, value: 'dark' }),
    },
    {
      method: 'PUT',
      path: '/api/flawed/settings/:name',
      description: 'replaces a setting (200)',
      handle: ({ res, params, body }) => {
        const parsed = parseJson(body);
        if (parsed === undefined) return sendProblem(res, 400, 'Bad Request', 'the body is not JSON');
        sendJson(res, 200, { name: params.name, value: (parsed.value as { value?: unknown } | null)?.value ?? null });
      },
    },
    {
      method: 'POST',
      path: '/api/flawed/settings/:name',
      rule: 'allow-omits-working-method',
      description: 'answers POST with 405 and Allow: GET, leaving out PUT, which works',
      try: [
        { method: 'PUT', path: '/api/flawed/settings/theme', headers: JSON_BODY, body: '{"value":"light"}' },
        { method: 'POST', path: '/api/flawed/settings/theme', headers: JSON_BODY, body: '{"value":"light"}' },
      ],
      handle: ({ res }) => sendProblem(res, 405, 'Method Not Allowed', undefined, { allow: 'GET' }),
    },
    {
      method: 'GET',
      path: '/api/flawed/profiles/:id',
      description: 'one profile (200), or 404 problem+json',
      handle: ({ res, params }) => {
        const profile = profiles.get(params.id ?? '');
        if (profile === undefined) return sendProblem(res, 404, 'Not Found', `no profile ${params.id}`);
        sendJson(res, 200, profile);
      },
    },
    {
      method: 'DELETE',
      path: '/api/flawed/profiles/:id',
      description: 'removes a profile (204)',
      handle: ({ res, params }) => {
        profiles.delete(params.id ?? '');
        res.writeHead(204);
        res.end();
      },
    },
    {
      method: 'PUT',
      path: '/api/flawed/profiles/:id',
      rule: 'put-created-without-201',
      description: 'creates or replaces a profile, answering 200 either way (should be 201 when it creates)',
      try: [
        { method: 'DELETE', path: '/api/flawed/profiles/9' },
        { method: 'PUT', path: '/api/flawed/profiles/9', headers: JSON_BODY, body: '{"name":"Ada"}' },
      ],
      handle: ({ res, params, body }) => {
        const parsed = parseJson(body);
        if (parsed === undefined || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
          return sendProblem(res, 422, 'Unprocessable Content', 'a profile is a JSON object');
        }
        const id = params.id ?? '';
        if (!profiles.has(id) && profiles.size >= MAX_PROFILES) return sendProblem(res, 507, 'Insufficient Storage', `the demo keeps ${MAX_PROFILES} profiles; restart it to start over`);
        const profile = { ...(parsed.value as Record<string, unknown>), id };
        profiles.set(id, profile);
        sendJson(res, 200, profile);
      },
    },
  ];
}
