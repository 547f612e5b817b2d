import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../../src/proxy/request-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are version 4 UUIDs, distinct across batches of random bytes', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('use every hex digit in the random positions', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newRequestId().replaceAll('-', '')).join(''));
    expect([...seen].sort().join('')).toBe('0123456789abcdef');
  });
});
