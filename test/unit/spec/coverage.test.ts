import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../../src/spec/compile-spec.js';
import { MAX_UNDOCUMENTED, MAX_UNDOCUMENTED_BYTES, SpecCoverage } from '../../../src/spec/coverage.js';

const dir = mkdtempSync(join(tmpdir(), 'restaudit-coverage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'openapi.yaml'),
  `openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /a: { get: { responses: { "200": { description: ok } } } }
  /b: { get: { responses: { "200": { description: ok } } } }
  /c: { get: { responses: { "200": { description: ok } } } }
`,
);
const spec = await loadSpec(join(dir, 'openapi.yaml'));
const [a, b] = spec.operations;
const coverage = (): SpecCoverage => new SpecCoverage(spec.file, spec.operations);

describe('spec coverage', () => {
  it('bounds the undocumented operations clients can name, by count and by bytes, and counts what it leaves out', () => {
    const byCount = coverage();
    for (let i = 0; i < MAX_UNDOCUMENTED + 50; i++) byCount.hitUndocumented('GET', `/x${i}`, 200);
    expect(byCount.report().undocumented).toHaveLength(MAX_UNDOCUMENTED);
    expect(byCount.report().undocumentedDropped).toBe(50);

    const byBytes = coverage();
    for (let i = 0; i < MAX_UNDOCUMENTED; i++) byBytes.hitUndocumented('GET', `/${String(i).padStart(3, '0')}${'y'.repeat(1000)}`, 200);
    const kept = byBytes.report().undocumented;
    expect(kept.reduce((sum, entry) => sum + Buffer.byteLength(entry.operation) + 64, 0)).toBeLessThanOrEqual(MAX_UNDOCUMENTED_BYTES);
    expect(kept.length + byBytes.report().undocumentedDropped).toBe(MAX_UNDOCUMENTED);
  });

  it('adds up the reports of several processes (--workers): exchanges and statuses summed, unseen only where none saw it', () => {
    const one = coverage();
    one.exercised(a!, 200);
    one.exercised(a!, 404);
    one.hitUndocumented('GET', '/debug', 200);
    const two = coverage();
    two.exercised(a!, 200);
    two.exercised(b!, 500);
    two.hitUndocumented('GET', '/debug', 500);
    const merged = coverage();
    merged.absorb(one.report());
    merged.absorb(two.report());
    expect(merged.report()).toEqual({
      spec: spec.file,
      operations: { documented: 3, seen: 2, unseen: 1 },
      seen: [
        { operation: 'GET /a', exchanges: 3, statuses: { 200: 2, 404: 1 } },
        { operation: 'GET /b', exchanges: 1, statuses: { 500: 1 } },
      ],
      unseen: [{ operation: 'GET /c' }],
      undocumented: [{ operation: 'GET /debug', exchanges: 2, statuses: { 200: 1, 500: 1 } }],
      undocumentedDropped: 0,
    });
  });

  it('keeps the merged undocumented list within the same bounds', () => {
    const reports = [0, 1].map((worker) => {
      const each = coverage();
      for (let i = 0; i < MAX_UNDOCUMENTED; i++) each.hitUndocumented('GET', `/w${worker}-${i}`, 200);
      return each.report();
    });
    const merged = coverage();
    for (const report of reports) merged.absorb(report);
    expect(merged.report().undocumented).toHaveLength(MAX_UNDOCUMENTED);
    expect(merged.report().undocumentedDropped).toBe(MAX_UNDOCUMENTED);
  });
});
