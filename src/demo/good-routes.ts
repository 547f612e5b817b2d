import type { ServerResponse } from 'node:http';
import { parseJson, sendJson, sendProblem, type DemoRoute } from './routes.js';

interface Book {
  id: number;
  title: string;
  author?: string;
}

type BookFields = Partial<Pick<Book, 'title' | 'author'>>;

/** Books the demo keeps at most; a creation beyond it answers 507 (delete some first). */
const MAX_BOOKS = 1000;
const JSON_BODY = { 'content-type': 'application/json' };

/** The fields of a book in a request body, or the problem to answer (400 unparsable, 422 wrong shape). */
function bookFields(body: Buffer): { ok: true; value: BookFields } | { ok: false; status: number; detail: string } {
  const parsed = parseJson(body);
  if (parsed === undefined) return { ok: false, status: 400, detail: 'the body is not valid JSON' };
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return { ok: false, status: 422, detail: 'expected a JSON object' };
  const { title, author } = parsed.value as Record<string, unknown>;
  if (title !== undefined && (typeof title !== 'string' || title === '')) return { ok: false, status: 422, detail: '"title" is a non-empty string' };
  if (author !== undefined && typeof author !== 'string') return { ok: false, status: 422, detail: '"author" is a string' };
  return { ok: true, value: { ...(title === undefined ? {} : { title }), ...(author === undefined ? {} : { author }) } };
}

function notFound(res: ServerResponse, id: string | undefined): void {
  sendProblem(res, 404, 'Not Found', `no book ${id}`);
}

/** The well-formed part of the demo API: a small book collection done right. */
export function goodRoutes(): DemoRoute[] {
  const books = new Map<number, Book>([
    [1, { id: 1, title: 'Leviathan Wakes', author: 'James S. A. Corey' }],
    [2, { id: 2, title: 'The Dispossessed', author: 'Ursula K. Le Guin' }],
    [3, { id: 3, title: 'Piranesi', author: 'Susanna Clarke' }],
  ]);
  let nextId = 4;
  const full = (res: ServerResponse): void => sendProblem(res, 507, 'Insufficient Storage', `the demo keeps ${MAX_BOOKS} books; delete some first`);

  return [
    {
      method: 'GET',
      path: '/api/books',
      description: 'list the books (200); HEAD answers the same headers, no body',
      try: [{ method: 'GET', path: '/api/books' }],
      featured: true,
      handle: ({ res }) => sendJson(res, 200, { data: [...books.values()] }),
    },
    {
      method: 'POST',
      path: '/api/books',
      description: 'create a book: 201 with Location; 400/422 on bad input',
      try: [{ method: 'POST', path: '/api/books', headers: JSON_BODY, body: '{"title":"Dune"}' }],
      featured: true,
      handle: ({ res, body }) => {
        const input = bookFields(body);
        if (!input.ok) return sendProblem(res, input.status, 'Invalid book', input.detail);
        if (input.value.title === undefined) return sendProblem(res, 422, 'Invalid book', 'a book needs a "title"');
        if (books.size >= MAX_BOOKS) return full(res);
        while (books.has(nextId)) nextId++;
        const book: Book = { id: nextId++, title: input.value.title, ...(input.value.author === undefined ? {} : { author: input.value.author }) };
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
        if (book === undefined) return notFound(res, params.id);
        sendJson(res, 200, book);
      },
    },
    {
      method: 'HEAD',
      path: '/api/books/:id',
      description: 'HEAD of one book: the GET\'s headers, no body',
      try: [{ method: 'HEAD', path: '/api/books/1' }],
      handle: ({ res, params }) => {
        const book = books.get(Number(params.id));
        if (book === undefined) return notFound(res, params.id);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON.stringify(book)) });
        res.end();
      },
    },
    {
      method: 'PUT',
      path: '/api/books/:id',
      description: 'replace a book (200), or create it at that id (201)',
      try: [{ method: 'PUT', path: '/api/books/2', headers: JSON_BODY, body: '{"title":"The Left Hand of Darkness","author":"Ursula K. Le Guin"}' }],
      handle: ({ res, params, body }) => {
        const id = Number(params.id);
        if (!Number.isSafeInteger(id) || id <= 0 || String(id) !== params.id) return notFound(res, params.id);
        const input = bookFields(body);
        if (!input.ok) return sendProblem(res, input.status, 'Invalid book', input.detail);
        if (input.value.title === undefined) return sendProblem(res, 422, 'Invalid book', 'a book needs a "title"');
        const existed = books.has(id);
        if (!existed && books.size >= MAX_BOOKS) return full(res);
        const book: Book = { id, title: input.value.title, ...(input.value.author === undefined ? {} : { author: input.value.author }) };
        books.set(id, book);
        sendJson(res, existed ? 200 : 201, book);
      },
    },
    {
      method: 'PATCH',
      path: '/api/books/:id',
      description: 'change some fields of a book (200)',
      try: [{ method: 'PATCH', path: '/api/books/1', headers: JSON_BODY, body: '{"author":"James S. A. Corey (pen name)"}' }],
      handle: ({ res, params, body }) => {
        const book = books.get(Number(params.id));
        if (book === undefined) return notFound(res, params.id);
        const input = bookFields(body);
        if (!input.ok) return sendProblem(res, input.status, 'Invalid book', input.detail);
        Object.assign(book, input.value);
        sendJson(res, 200, book);
      },
    },
    {
      method: 'DELETE',
      path: '/api/books/:id',
      description: 'delete a book (204); it is gone afterwards (404)',
      try: [{ method: 'DELETE', path: '/api/books/3' }, { method: 'GET', path: '/api/books/3' }],
      handle: ({ res, params }) => {
        if (!books.delete(Number(params.id))) return notFound(res, params.id);
        res.writeHead(204);
        res.end();
      },
    },
    {
      method: 'GET',
      path: '/api/me',
      description: 'who am I: 401 with a WWW-Authenticate challenge without credentials, 200 with them',
      try: [{ method: 'GET', path: '/api/me' }, { method: 'GET', path: '/api/me', headers: { authorization: 'Bearer demo' } }],
      handle: ({ res, authenticated }) => {
        if (!authenticated) return sendProblem(res, 401, 'Unauthorized', 'send a bearer token', { 'www-authenticate': 'Bearer realm="demo"' });
        sendJson(res, 200, { name: 'demo user' });
      },
    },
  ];
}
