import { describe, expect, it } from 'vitest';
import { growingPercent } from '../../../src/heap-growth.js';

const MB = 2 ** 20;

describe('how far the old generation may grow before a full collection', () => {
  it('allows 16 MB on a small heap, 20 % on a large one, never more than doubling', () => {
    expect(growingPercent(1 * MB)).toBe(100);
    expect(growingPercent(16 * MB)).toBe(100);
    expect(growingPercent(17 * MB)).toBe(94);
    expect(growingPercent(50 * MB)).toBe(32);
    expect(growingPercent(80 * MB)).toBe(20);
    expect(growingPercent(500 * MB)).toBe(20);
    expect(growingPercent(0)).toBe(100);
  });
});
