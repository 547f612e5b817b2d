import { describe, expect, it } from 'vitest';
import { RouteResolver } from '../../../src/routes/route-resolver.js';
import { RouteTrie, templateMatcher } from '../../../src/routes/route-trie.js';
import type { SpecPath } from '../../../src/spec/types.js';

function trie(...templates: string[]): RouteTrie<string> {
  const t = new RouteTrie<string>();
  for (const template of templates) t.insert(template, template);
  return t;
}

describe('route trie', () => {
  it('matches :param and {param} segments, one non-empty segment each', () => {
    const t = trie('/users/:id', '/pets/{petId}/toys/{toyId}');
    expect(t.match('/users/42')).toBe('/users/:id');
    expect(t.match('/pets/7/toys/ball')).toBe('/pets/{petId}/toys/{toyId}');
    expect(t.match('/users/')).toBeUndefined();
    expect(t.match('/users/42/x')).toBeUndefined();
    expect(t.match('/pets/7/toys')).toBeUndefined();
    expect(t.match('users/42')).toBeUndefined();
  });

  it('prefers the literal segment, and falls back to the parameter when the literal branch leads nowhere', () => {
    const t = trie('/users/{id}', '/users/me', '/users/me/settings', '/users/{id}/orders');
    expect(t.match('/users/me')).toBe('/users/me');
    expect(t.match('/users/42')).toBe('/users/{id}');
    expect(t.match('/users/me/orders')).toBe('/users/{id}/orders');
    expect(t.match('/users/me/settings')).toBe('/users/me/settings');
  });

  it('matches segments that mix text and parameters', () => {
    const t = trie('/files/{name}.{ext}', '/report.{format}', '/files/{id}');
    expect(t.match('/files/a.txt')).toBe('/files/{name}.{ext}');
    expect(t.match('/files/abc')).toBe('/files/{id}');
    expect(t.match('/report.csv')).toBe('/report.{format}');
    expect(t.match('/report.')).toBeUndefined();
  });

  it('keeps the first value of a template inserted twice, and escapes regex characters in literal text', () => {
    const t = new RouteTrie<number>();
    t.insert('/a/{x}+(y)', 1);
    t.insert('/a/{x}+(y)', 2);
    expect(t.size).toBe(1);
    expect(t.match('/a/z+(y)')).toBe(1);
    expect(t.match('/a/zz(y)')).toBeUndefined();
  });

  it('serves custom rules one template at a time', () => {
    const under = templateMatcher('/orders/:id');
    expect(under('/orders/9')).toBe(true);
    expect(under('/orders/')).toBe(false);
    expect(under('/orders/9/items')).toBe(false);
  });
});

describe('route resolution with a spec', () => {
  const specPaths = new RouteTrie<SpecPath>();
  const pets: SpecPath = { template: '/api/pets/{petId}', operations: new Map() };
  specPaths.insert(pets.template, pets);

  it('labels with the spec template, unless a configured route matches first; the spec path item is found either way', () => {
    const resolver = new RouteResolver(['/api/pets/:id/owner', '/api/pets/mine'], 100, undefined, specPaths);
    expect(resolver.resolve('/api/pets/7')).toMatchObject({ template: '/api/pets/{petId}', label: '/api/pets/{petId}', spec: pets });
    expect(resolver.resolve('/api/pets/mine')).toMatchObject({ template: '/api/pets/mine', spec: pets });
    expect(resolver.resolve('/api/pets/7/owner')).toMatchObject({ template: '/api/pets/:id/owner', spec: undefined });
    expect(resolver.resolve('/other/42')).toMatchObject({ template: '/other/:id', spec: undefined });
  });
});
