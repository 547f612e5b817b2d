import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { splitTarget } from '../../../src/capture/recorded-path.js';
import { bounded, ExchangeMemory, MAX_PATH_KEY_CHARS } from '../../../src/memory/exchange-memory.js';
import { MAX_REQUEST_ID_CHARS, newRequestId, recordedRequestId } from '../../../src/proxy/request-id.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A fresh string of `n` letters (as the HTTP parser hands one over), different for each `i`. */
function wire(n: number, i: number): string {
  return Buffer.from(`${i.toString(36)}-${'k'.repeat(n)}`.slice(0, n), 'latin1').toString('latin1');
}

describe('a memory entry costs a bounded number of bytes', () => {
  it('long paths are kept as a prefix and a digest; distinct paths stay distinct', () => {
    const a = bounded(`/users/${'a'.repeat(5000)}1`);
    const b = bounded(`/users/${'a'.repeat(5000)}2`);
    expect(a.length).toBeLessThanOrEqual(MAX_PATH_KEY_CHARS);
    expect(a).not.toBe(b);
    expect(bounded('/users/1')).toBe('/users/1');
    expect(recordedRequestId('x'.repeat(7000)).length).toBe(MAX_REQUEST_ID_CHARS);
  });

  it('7 KB paths (with a 7 KB query), 7 KB request ids and 7 KB hosts: under 1.5 KB an entry after GC', () => {
    const memory = new ExchangeMemory({ maxEntries: 100_000, ttlSeconds: 900 });
    const n = 2000;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) {
      // As the proxy gets them: one long request target, one long header value.
      const { path } = splitTarget(`/users/${wire(7000, i)}?q=${wire(7000, i)}`);
      const id = recordedRequestId(wire(7000, i + 1));
      memory.record({ id, method: 'GET', host: wire(7000, i + 2), path, route: '/users/:id', status: 200, hasCredentials: true }, undefined, undefined);
    }
    gc();
    const perEntry = (process.memoryUsage().heapUsed - before) / memory.size;
    console.log(`memory entry bytes after GC: ${Math.round(perEntry)}`);
    expect(memory.size).toBeGreaterThanOrEqual(n);
    expect(perEntry).toBeLessThan(1500);
  });

  it('100,000 reads of distinct short paths of one host (the usual case): under 275 bytes an entry after GC', () => {
    const n = 100_000;
    const memory = new ExchangeMemory({ maxEntries: 2 * n, ttlSeconds: 900 });
    const host = wire(15, 0);
    // Learn one route's working methods first: the entries measured are the paths'.
    memory.record({ id: newRequestId(), method: 'GET', host, path: '/items/0', route: '/items/{id}', status: 200, hasCredentials: true }, undefined, undefined);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 1; i < n; i++) {
      // As the proxy gets them: a request target and a Host header off the wire, a fresh id.
      const { path } = splitTarget(Buffer.from(`/items/${i}`, 'latin1').toString('latin1'));
      memory.record({ id: newRequestId(), method: 'GET', host: wire(15, 0), path, route: '/items/{id}', status: 200, hasCredentials: true }, undefined, undefined);
    }
    gc();
    const perEntry = (process.memoryUsage().heapUsed - before) / (n - 1);
    console.log(`memory entry bytes after GC, short paths of one host: ${Math.round(perEntry)}`);
    expect(memory.size).toBe(n + 1);
    expect(perEntry).toBeLessThan(275);
  });
});
