import { parseJson, sendJson, sendProblem, type DemoRoute } from './routes.js';

interface Book {
  id: number;
  title: string;
  author?: string;
}

/** The well-formed part of the demo API: a small book collection done right. */
export function goodRoutes(): DemoRoute[] {
  const books = new Map<number, Book>([
    [1, { id: 1, title: 'Leviathan Wakes', author: 'James S. A. Corey' }],
    [2, { id: 2, title: 'The Dispossessed', author: 'Ursula K. Le Guin' }],
    [3, { id: 3, title: 'Piranesi', author: 'Susanna Clarke' }],
  ]);
  let nextId = 4;
  const ALLOW = { allow: 'GET, HEAD, PUT, PATCH, DELETE' };

  function bookInput(body: Buffer): { ok: true; value: Partial<Book> } | { ok: false; status: number; detail: string } {
    const parsed = parseJson(body);
    if (parsed === undefined) return { ok: false, status: 400, detail: 'the body is not valid JSON' };
    if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return { ok: false, status: 422, detail: 'expected a JSON object' };
    return { ok: true, value: parsed.value };
  }

  return [
    {
      method: 'GET',
      path: '/api/books',
      description: 'list the books (200)',
      try: [{ method: 'GET', path: '/api/books' }],
      featured: true,
      handle: ({ res }) => sendJson(res, 200, { data: [...books.values()] }),
    },
    {
      method: 'POST',
      path: '/api/books',
      description: 'create a book: 201 with Location; 400/422 on bad input',
      try: [{ method: 'POST', path: '/api/books', headers: { 'content-type': 'application/json' }, body: '{"title":"Dune"}' }],
      handle: ({ res, body }) => {
        const input = bookInput(body);
        if (!input.ok) return sendProblem(res, input.status, 'Invalid book', input.detail);
        if (typeof input.value.title !== 'string' || input.value.title === '') return sendProblem(res, 422, 'Invalid book', 'title is required');
        const book: Book = { id: nextId++, title: input.value.title, author: input.value.author };
        books.set(book.id, book);
        sendJson(res, 201, book, { location: `/api/books/${book.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/books/:id',
      description: 'one book (200), or 404 problem+json',
      try: [{ method: 'GET', path: '/api/books/1' }],
      handle: ({ res, params }) => {
        const book = books.get(Number(params.id));
        if (book === undefined) return sendProblem(res, 404, 'Not Found', `no book ${params.id}`);
        sendJson(res, 200, book);
      },
    },
    {
      method: 'HEAD',
      path: '/api/books/:id',
      description: 'HEAD of one book: headers only',
      handle: ({ res, params }) => {
        const book = books.get(Number(params.id));
        const body = JSON.stringify(book ?? {});
        res.writeHead(book === undefined ? 404 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end();
      },
    },
    {
      method: 'PUT',
      path: '/api/books/:id',
      description: 'replace a book (200), or create it (201)',
      handle: ({ res, params, body }) => {
        const input = bookInput(body);
        if (!input.ok) return sendProblem(res, input.status, 'Invalid book', input.detail);
        const id = Number(params.id);
        if (!Number.isInteger(id) || id <= 0) return sendProblem(res, 404, 'Not Found', `no book ${params.id}`);
        const existed = books.has(id);
        const book: Book = { id, title: String(input.value.title ?? ''), author: input.value.author };
        books.set(id, book);
        sendJson(res, existed ? 200 : 201, book);
      },
    },
    {
      method: 'PATCH',
      path: '/api/books/:id',
      description: 'change a book (200)',
      handle: ({ res, params, body }) => {
        const book = books.get(Number(params.id));
        if (book === undefined) return sendProblem(res, 404, 'Not Found', `no book ${params.id}`);
        const input = bookInput(body);
        if (!input.ok) return sendProblem(res, input.status, 'Invalid book', input.detail);
        Object.assign(book, input.value, { id: book.id });
        sendJson(res, 200, book);
      },
    },
    {
      method: 'DELETE',
      path: '/api/books/:id',
      description: 'delete a book (204); it is gone afterwards',
      try: [{ method: 'DELETE', path: '/api/books/3' }],
      handle: ({ res, params }) => {
        if (!books.delete(Number(params.id))) return sendProblem(res, 404, 'Not Found', `no book ${params.id}`);
        res.writeHead(204);
        res.end();
      },
    },
    {
      method: '*',
      path: '/api/books/:id',
      description: 'any other method: 405 with Allow',
      handle: ({ res }) => sendProblem(res, 405, 'Method Not Allowed', undefined, ALLOW),
    },
    {
      method: 'GET',
      path: '/api/me',
      description: 'who am I: 401 with a challenge without credentials, 200 with them',
      try: [{ method: 'GET', path: '/api/me', headers: { 'authorization': 'Bearer demo' } }],
      handle: ({ res, authenticated }) => {
        if (!authenticated) return sendProblem(res, 401, 'Unauthorized', 'send a bearer token', { 'www-authenticate': 'Bearer realm="demo"' });
        sendJson(res, 200, { name: 'demo user' });
      },
    },
  ];
}
