import { describe, expect, it } from 'vitest';
import { CUT_SEGMENTS, inferTemplate, MAX_LABEL_CHARS, MAX_SEGMENT_CHARS, OTHER_ROUTE, RouteResolver } from '../../../src/routes/route-resolver.js';

describe('route templates', () => {
  it.each([
    ['/users/42', '/users/:id'],
    ['/users/42/orders/7', '/users/:id/orders/:id'],
    ['/things/3fa85f64-5717-4562-b3fc-2c963f66afa6', '/things/:id'],
    ['/things/507f1f77bcf86cd799439011', '/things/:id'],
    ['/files/deadbeefcafebabe1234', '/files/:id'],
    ['/tokens/AbC123xYz789QrS456', '/tokens/:id'],
    ['/users', '/users'],
    ['/users/me', '/users/me'],
    ['/api/v2/search', '/api/v2/search'],
    ['/articles/my-first-article', '/articles/my-first-article'],
    ['/', '/'],
  ])('infers %s → %s', (path, template) => {
    expect(inferTemplate(path)).toBe(template);
  });

  it('prefers configured templates, in order', () => {
    const resolver = new RouteResolver(['/orders/:orderId/items/:itemId', '/users/:name'], 100);
    expect(resolver.resolve('/orders/9/items/abc').template).toBe('/orders/:orderId/items/:itemId');
    expect(resolver.resolve('/users/alice').template).toBe('/users/:name');
    expect(resolver.resolve('/users/').template).toBe('/users/');
    expect(resolver.resolve('/books/12').template).toBe('/books/:id');
  });

  it('caps distinct labels at maxRoutes and counts each overflow', () => {
    let overflows = 0;
    const resolver = new RouteResolver([], 4, () => overflows++);
    // Half the labels go to templates as they come; the rest only on a second sighting.
    const labels = ['/a', '/b', '/c', '/d', '/c', '/e', '/d', '/f', '/f'].map((path) => resolver.resolve(path).label);
    expect(labels).toEqual(['/a', '/b', OTHER_ROUTE, OTHER_ROUTE, '/c', OTHER_ROUTE, '/d', OTHER_ROUTE, OTHER_ROUTE]);
    expect(resolver.resolve('/e').template).toBe('/e');
    expect(resolver.labelCount).toBe(4);
    expect(overflows).toBe(6);
  });
});

describe('route inference is bounded against hostile paths', () => {
  const letters = (n: number, seed = 0): string => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed * 13) % 26))).join('');

  it('a segment longer than MAX_SEGMENT_CHARS becomes :id', () => {
    expect(inferTemplate(`/files/${letters(MAX_SEGMENT_CHARS + 1)}`)).toBe('/files/:id');
    expect(inferTemplate(`/files/${letters(MAX_SEGMENT_CHARS)}`)).toBe(`/files/${letters(MAX_SEGMENT_CHARS)}`);
    expect(inferTemplate(`/${letters(12_000)}`)).toBe('/:id');
  });

  it('no template is longer than 200 characters, however many segments', () => {
    const path = Array.from({ length: 2000 }, (_, i) => `/${letters(6, i)}`).join('');
    const template = inferTemplate(path);
    expect(template.length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
    expect(template.endsWith(`/${CUT_SEGMENTS}`)).toBe(true);
  });

  it('600 paths of 12,000 letters make one label, and real routes keep theirs', () => {
    let overflows = 0;
    const resolver = new RouteResolver([], 500, () => overflows++);
    expect(resolver.resolve('/users/1').label).toBe('/users/:id');
    for (let i = 0; i < 600; i++) expect(resolver.resolve(`/${letters(12_000, i)}`).label).toBe('/:id');
    expect(resolver.labelCount).toBe(2);
    expect(resolver.resolve('/orders/7').label).toBe('/orders/:id');
    expect(overflows).toBe(0);
  });

  it('a flood of one-off short paths cannot take the labels real routes need', () => {
    const resolver = new RouteResolver([], 100);
    const word = (i: number): string => `scan${[...i.toString(26)].map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('')}`;
    for (let i = 0; i < 5000; i++) resolver.resolve(`/${word(i)}`);
    expect(resolver.labelCount).toBe(50);
    // A real route seen after the flood: `__other__` once, its own label from the second request on.
    expect(resolver.resolve('/invoices').label).toBe(OTHER_ROUTE);
    expect(resolver.resolve('/invoices').label).toBe('/invoices');
    expect(resolver.resolve('/invoices/9').label).toBe(OTHER_ROUTE);
    expect(resolver.resolve('/invoices/10').label).toBe('/invoices/:id');
  });

  it('configured templates are always labels of their own', () => {
    const resolver = new RouteResolver(['/health/:check'], 2);
    resolver.resolve('/a');
    resolver.resolve('/b');
    resolver.resolve('/b');
    expect(resolver.resolve('/health/db').label).toBe('/health/:check');
  });
});
