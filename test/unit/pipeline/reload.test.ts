import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/logging/logger.js';
import { createAuditPipeline, type AuditPipeline } from '../../../src/pipeline/audit-pipeline.js';
import { loadSpec } from '../../../src/spec/compile-spec.js';
import { jsonGet } from '../../helpers/captured.js';

const dir = mkdtempSync(join(tmpdir(), 'restaudit-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = `openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /a: { get: { operationId: getA, responses: { "200": { description: ok } } } }
  /b: { get: { operationId: getB, responses: { "200": { description: ok } } } }
`;

let id = 0;
const exchange = (path: string) => jsonGet(path, '{"items":[1,2,3,4]}', ++id);

writeFileSync(join(dir, 'openapi.yaml'), SPEC);
// Read once, as the CLI does: a reload does not re-read the spec.
const spec = await loadSpec(join(dir, 'openapi.yaml'));

/** A pipeline as the proxy builds it on start-up, or on SIGHUP from the one it replaces. */
function build(jsonSampling: Record<string, unknown>, shared?: AuditPipeline): AuditPipeline {
  const logger = createLogger({ level: 'silent', credentialHeaders: [] });
  return createAuditPipeline(resolveConfig({ inspect: { jsonSampling } }), { logger, registry: new Registry(), processMetrics: false, targetHost: 'api.example', spec, shared });
}

describe('a reloaded pipeline (SIGHUP) keeps what its metrics and admin endpoints read', () => {
  it('counts sampled-out responses judged after the reload, under the new settings', async () => {
    const first = build({ inspectFirst: 1, thenEvery: 100, minBytes: 1 });
    for (let i = 0; i < 3; i++) first.judge(exchange('/a'), 0.001);
    expect(await first.registry.metrics()).toContain('restaudit_inspection_sampled_out_total 2');
    // thenEvery 2 from now on: of the next four responses of the shape, two are sampled out.
    const second = build({ inspectFirst: 1, thenEvery: 2, minBytes: 1 }, first);
    for (let i = 0; i < 4; i++) second.judge(exchange('/a'), 0.001);
    expect(await second.registry.metrics()).toContain('restaudit_inspection_sampled_out_total 4');
  });

  it("keeps the spec's coverage: operations exercised before and after the reload are both seen", async () => {
    const first = build({});
    first.judge(exchange('/a'), 0.001);
    const second = build({}, first);
    second.judge(exchange('/b'), 0.001);
    expect(second.coverage?.report().operations).toEqual({ documented: 2, seen: 2, unseen: 0 });
    expect(await second.registry.metrics()).toContain('restaudit_spec_operations{state="seen"} 2');
  });
});
