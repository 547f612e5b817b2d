import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/logging/logger.js';
import { createAuditPipeline } from '../../../src/pipeline/audit-pipeline.js';
import { jsonGet } from '../../helpers/captured.js';

const VALID = '{"items":[1,2,3,4]}';
const INVALID = '{"items":[1,2,3,4';

function pipeline(jsonSampling: Record<string, unknown>) {
  const logger = createLogger({ level: 'silent', credentialHeaders: [] });
  const built = createAuditPipeline(resolveConfig({ inspect: { jsonSampling } }), { logger, registry: new Registry(), processMetrics: false, targetHost: 'api.example' });
  let id = 0;
  const judge = (path: string, body: string) => built.judge(jsonGet(path, body, ++id), 0.001).findings.some((finding) => finding.rule === 'invalid-json-response');
  return { built, judge };
}

describe('inspect.jsonSampling: the JSON validity pass rationed per response shape', () => {
  it('scans the first responses of a shape, then one in thenEvery, and a shape found invalid in full again', async () => {
    const { built, judge } = pipeline({ inspectFirst: 2, thenEvery: 3, minBytes: 10 });
    expect([judge('/a', VALID), judge('/a', VALID)]).toEqual([false, false]);
    // The 3rd and 4th responses of the shape are sampled out, the 5th is scanned and found invalid.
    expect([judge('/a', INVALID), judge('/a', INVALID), judge('/a', INVALID)]).toEqual([false, false, true]);
    // Found invalid: every response of the shape is scanned again.
    expect([judge('/a', INVALID), judge('/a', INVALID)]).toEqual([true, true]);
    // Another route is another shape, scanned in full from its first response.
    expect(judge('/b', INVALID)).toBe(true);
    expect(await built.registry.metrics()).toContain('restaudit_inspection_sampled_out_total 2');
  });

  it('always scans bodies smaller than minBytes', () => {
    const { judge } = pipeline({ inspectFirst: 1, thenEvery: 100, minBytes: 1024 });
    judge('/a', VALID);
    expect([judge('/a', INVALID), judge('/a', INVALID)]).toEqual([true, true]);
  });

  it('scans every response when disabled', async () => {
    const { built, judge } = pipeline({ enabled: false, inspectFirst: 1, thenEvery: 100, minBytes: 0 });
    judge('/a', VALID);
    expect([judge('/a', INVALID), judge('/a', INVALID), judge('/a', INVALID)]).toEqual([true, true, true]);
    expect(await built.registry.metrics()).toContain('restaudit_inspection_sampled_out_total 0');
  });

  it('rejects a setting out of range, naming it', () => {
    expect(() => resolveConfig({ inspect: { jsonSampling: { thenEvery: 0 } } })).toThrow(/thenEvery/);
  });
});
