import { describe, expect, it } from 'vitest';
import { BodyCopy } from '../../../src/capture/body-copy.js';
import type { Exchange } from '../../../src/capture/exchange.js';
import { ExchangeMemory } from '../../../src/memory/exchange-memory.js';

function exchange(method: string, path: string, status: number, hasCredentials = false, route = path): Exchange {
  return {
    id: `${method}-${path}-${status}`,
    startedAt: 0,
    durationMs: 1,
    method,
    path,
    query: '',
    route,
    host: 'api.test',
    requestHeaders: {},
    requestBody: BodyCopy.of(''),
    hasCredentials,
    status,
    responseHeaders: {},
    responseBody: BodyCopy.of(''),
    bytesAfterBodilessResponse: 0,
  };
}

describe('cross-exchange memory', () => {
  it('says which lessons other workers need: not repeated reads, not a body type already known', () => {
    let now = 0;
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 60, now: () => now });
    expect(memory.record(exchange('GET', '/a/1', 200, true), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('GET', '/a/1', 200, false), undefined, undefined)).toBe(false);
    expect(memory.record(exchange('GET', '/a/1', 200, true), undefined, undefined)).toBe(false);
    now += 6_001; // a tenth of the TTL: a repeated read is news again, so other workers keep it fresh
    expect(memory.record(exchange('GET', '/a/1', 200, true), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('GET', '/a/2', 401, false, '/a/:id'), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('GET', '/a/2', 401, true, '/a/:id'), undefined, undefined)).toBe(false);
    expect(memory.record(exchange('DELETE', '/a/1', 404), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('PUT', '/a/1', 200), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('PUT', '/a/1', 500), undefined, undefined)).toBe(false);
    expect(memory.record(exchange('POST', '/a', 201), '/a/3', 'object')).toBe(true);
    expect(memory.record(exchange('POST', '/a', 200), undefined, 'object')).toBe(false);
    expect(memory.record(exchange('GET', '/a/3', 404), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('POST', '/a', 200), undefined, 'array')).toBe(true);
  });

  it('remembers within the TTL and forgets after it, on the injected clock', () => {
    let now = 1_000;
    const memory = new ExchangeMemory({ maxEntries: 10, ttlSeconds: 60, now: () => now });
    memory.record(exchange('GET', '/a/1', 200, true), undefined, undefined);
    const seen = memory.path('api.test', '/a/1')?.authenticatedRead;
    expect(memory.fresh(seen)).toBe(true);
    now += 59_000;
    expect(memory.fresh(memory.path('api.test', '/a/1')?.authenticatedRead)).toBe(true);
    expect(memory.ageSeconds(seen!)).toBe(59);
    now += 2_000;
    expect(memory.fresh(memory.path('api.test', '/a/1')?.authenticatedRead)).toBe(false);
    expect(memory.path('api.test', '/a/1')).toBeUndefined();
  });

  it('never holds more than maxEntries, however many paths it sees', () => {
    const memory = new ExchangeMemory({ maxEntries: 500, ttlSeconds: 900 });
    let largest = 0;
    for (let i = 0; i < 5_000; i++) {
      memory.record(exchange('DELETE', `/items/${i}`, 204), undefined, undefined);
      memory.record(exchange('POST', `/items`, 201), `/items/${i}`, 'object');
      largest = Math.max(largest, memory.size);
    }
    expect(largest).toBe(500);
    expect(memory.path('api.test', '/items/4999')?.created).toBeDefined();
    expect(memory.path('api.test', '/items/0')).toBeUndefined();
  });

  it('clears what a later exchange contradicts', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 900 });
    memory.record(exchange('GET', '/b/1', 200, true), undefined, undefined);
    memory.record(exchange('DELETE', '/b/1', 204, true), undefined, undefined);
    expect(memory.path('api.test', '/b/1')?.authenticatedRead).toBeUndefined();
    expect(memory.path('api.test', '/b/1')?.deleted?.status).toBe(204);
    memory.record(exchange('PUT', '/b/1', 201, true), undefined, undefined);
    expect(memory.path('api.test', '/b/1')?.deleted).toBeUndefined();
    memory.record(exchange('POST', '/b', 201), '/b/2', undefined);
    memory.record(exchange('DELETE', '/b/2', 404), undefined, undefined);
    expect(memory.path('api.test', '/b/2')?.created).toBeUndefined();
  });

  it('learns GET and HEAD as one method for anonymous refusals, and counts body types', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 900 });
    memory.record(exchange('HEAD', '/admin/1', 401, false, '/admin/:id'), undefined, undefined);
    memory.record(exchange('GET', '/admin/2', 403, true, '/admin/:id'), undefined, undefined);
    expect(memory.route('api.test', 'GET', '/admin/:id')?.anonymousDenied?.method).toBe('HEAD');
    memory.record(exchange('POST', '/c', 201), undefined, 'object');
    memory.record(exchange('POST', '/c', 200), undefined, 'object');
    memory.record(exchange('POST', '/c', 400), undefined, 'array');
    expect([...(memory.route('api.test', 'POST', '/c')?.bodyTypes ?? [])]).toEqual([['object', 2]]);
  });

  it('keeps hosts apart: the same path on another host is another resource', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 900 });
    memory.record({ ...exchange('DELETE', '/u/1', 204), host: 'a.test' }, undefined, undefined);
    expect(memory.path('a.test', '/u/1')?.deleted?.status).toBe(204);
    expect(memory.path('b.test', '/u/1')).toBeUndefined();
    memory.record({ ...exchange('PUT', '/u/1', 200), host: 'a.test', route: '/u/:id' }, undefined, undefined);
    expect(memory.methods('a.test', '/u/:id')?.get('PUT')?.status).toBe(200);
    expect(memory.methods('b.test', '/u/:id')).toBeUndefined();
    // The first host's paths are keyed by themselves, the others' by host and path.
    memory.record({ ...exchange('DELETE', '/u/2', 204), host: 'b.test' }, undefined, undefined);
    expect(memory.path('b.test', '/u/2')?.deleted?.status).toBe(204);
    expect(memory.path('a.test', '/u/2')).toBeUndefined();
    memory.record({ ...exchange('DELETE', 'http://a.test/u/3', 204), host: 'a.test' }, undefined, undefined);
    expect(memory.path('a.test', 'http://a.test/u/3')?.deleted?.status).toBe(204);
    expect(memory.path('b.test', 'http://a.test/u/3')).toBeUndefined();
  });

  it('learns what is absent (a GET 404, a DELETE) and forgets it on any sign of presence', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 900 });
    memory.record(exchange('GET', '/d/1', 404), undefined, undefined);
    expect(memory.path('api.test', '/d/1')?.absent).toMatchObject({ method: 'GET', status: 404, hasCredentials: false });
    memory.record(exchange('HEAD', '/d/1', 200), undefined, undefined);
    expect(memory.path('api.test', '/d/1')?.absent).toBeUndefined();
    memory.record(exchange('DELETE', '/d/1', 204, true), undefined, undefined);
    expect(memory.path('api.test', '/d/1')?.absent).toMatchObject({ method: 'DELETE', hasCredentials: true });
    memory.record(exchange('POST', '/d', 201), '/d/1', undefined);
    expect(memory.path('api.test', '/d/1')?.absent).toBeUndefined();
  });

  it('remembers at most 16 working methods per route, HEAD apart from GET', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 900 });
    memory.record(exchange('HEAD', '/e/1', 200, false, '/e/:id'), undefined, undefined);
    for (let i = 0; i < 40; i++) memory.record(exchange(`M${i}`, '/e/1', 200, false, '/e/:id'), undefined, undefined);
    const working = memory.methods('api.test', '/e/:id');
    expect(working?.size).toBe(16);
    expect(working?.has('HEAD')).toBe(true);
    expect(working?.has('GET')).toBe(false);
  });
});
