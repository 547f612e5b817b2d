import { describe, expect, it } from 'vitest';
import { inferTemplate, OTHER_ROUTE, RouteResolver } from '../../../src/routes/route-resolver.js';

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
    const resolver = new RouteResolver([], 3, () => overflows++);
    const labels = ['/a', '/b', '/c', '/d', '/e', '/d'].map((path) => resolver.resolve(path).label);
    expect(labels).toEqual(['/a', '/b', '/c', OTHER_ROUTE, OTHER_ROUTE, OTHER_ROUTE]);
    expect(resolver.resolve('/e').template).toBe('/e');
    expect(resolver.labelCount).toBe(3);
    expect(overflows).toBe(4);
  });
});
