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
  it('says which lessons other workers need: not the bulk of reads, not a body type already known', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 60 });
    expect(memory.record(exchange('GET', '/a/1', 200, true), undefined, undefined)).toBe(false);
    expect(memory.record(exchange('GET', '/a/1', 200, false), undefined, undefined)).toBe(false);
    expect(memory.record(exchange('GET', '/a/2', 401, false, '/a/:id'), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('GET', '/a/2', 401, true, '/a/:id'), undefined, undefined)).toBe(false);
    expect(memory.record(exchange('DELETE', '/a/1', 404), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('PUT', '/a/1', 200), undefined, undefined)).toBe(true);
    expect(memory.record(exchange('PUT', '/a/1', 500), undefined, undefined)).toBe(false);
    expect(memory.record(exchange('POST', '/a', 201), '/a/3', 'object')).toBe(true);
    expect(memory.record(exchange('POST', '/a', 200), undefined, 'object')).toBe(false);
    expect(memory.record(exchange('POST', '/a', 200), undefined, 'array')).toBe(true);
  });

  it('remembers within the TTL and forgets after it, on the injected clock', () => {
    let now = 1_000;
    const memory = new ExchangeMemory({ maxEntries: 10, ttlSeconds: 60, now: () => now });
    memory.record(exchange('GET', '/a/1', 200, true), undefined, undefined);
    const seen = memory.path('/a/1')?.authenticatedRead;
    expect(memory.fresh(seen)).toBe(true);
    now += 59_000;
    expect(memory.fresh(memory.path('/a/1')?.authenticatedRead)).toBe(true);
    expect(memory.ageSeconds(seen!)).toBe(59);
    now += 2_000;
    expect(memory.fresh(memory.path('/a/1')?.authenticatedRead)).toBe(false);
    expect(memory.path('/a/1')).toBeUndefined();
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
    expect(memory.path('/items/4999')?.created).toBeDefined();
    expect(memory.path('/items/0')).toBeUndefined();
  });

  it('clears what a later exchange contradicts', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 900 });
    memory.record(exchange('GET', '/b/1', 200, true), undefined, undefined);
    memory.record(exchange('DELETE', '/b/1', 204, true), undefined, undefined);
    expect(memory.path('/b/1')?.authenticatedRead).toBeUndefined();
    expect(memory.path('/b/1')?.deleted?.status).toBe(204);
    memory.record(exchange('PUT', '/b/1', 201, true), undefined, undefined);
    expect(memory.path('/b/1')?.deleted).toBeUndefined();
    memory.record(exchange('POST', '/b', 201), '/b/2', undefined);
    memory.record(exchange('DELETE', '/b/2', 404), undefined, undefined);
    expect(memory.path('/b/2')?.created).toBeUndefined();
  });

  it('learns GET and HEAD as one method for anonymous refusals, and counts body types', () => {
    const memory = new ExchangeMemory({ maxEntries: 100, ttlSeconds: 900 });
    memory.record(exchange('HEAD', '/admin/1', 401, false, '/admin/:id'), undefined, undefined);
    memory.record(exchange('GET', '/admin/2', 403, true, '/admin/:id'), undefined, undefined);
    expect(memory.route('GET', '/admin/:id')?.anonymousDenied?.method).toBe('HEAD');
    memory.record(exchange('POST', '/c', 201), undefined, 'object');
    memory.record(exchange('POST', '/c', 200), undefined, 'object');
    memory.record(exchange('POST', '/c', 400), undefined, 'array');
    expect([...(memory.route('POST', '/c')?.bodyTypes ?? [])]).toEqual([['object', 2]]);
  });
});
