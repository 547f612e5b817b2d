#!/usr/bin/env node
// What a spec costs per exchange, without the network: the audit pipeline (routes, rules,
// memory, metrics) judges the benchmark's three JSON exchanges again and again, with and
// without bench/openapi.yaml, in interleaved rounds; CPU time per exchange from
// process.cpuUsage(). Part of `npm run bench` (after the wrk part); alone:
//   npm run build && node bench/spec-cost.mjs
// Environment: BENCH_SPEC_ITERATIONS (4000 per case and round), BENCH_ROUNDS (3).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { createAuditPipeline } = await import(join(root, 'dist/pipeline/audit-pipeline.js'));
const { resolveConfig } = await import(join(root, 'dist/config/load.js'));
const { loadSpec } = await import(join(root, 'dist/spec/compile-spec.js'));
const { BodyCopy } = await import(join(root, 'dist/capture/body-copy.js'));
const { createLogger } = await import(join(root, 'dist/logging/logger.js'));

const iterations = Number(process.env.BENCH_SPEC_ITERATIONS ?? 4000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const limit = 65_536;

const items = [];
while (JSON.stringify({ items }).length < 64 * 1024 - 64) items.push({ id: items.length, name: `item number ${items.length}`, tags: ['a', 'b'] });
const json = { 'content-type': 'application/json' };

function exchange(n, { method = 'GET', path, requestBody = '', status = 200, responseBody, responseHeaders = {} }) {
  return {
    id: `bench-${n}`,
    startedAt: 0,
    durationMs: 1,
    method,
    path,
    query: '',
    host: 'bench.test',
    requestHeaders: requestBody === '' ? { host: 'bench.test' } : { host: 'bench.test', ...json },
    requestBody: BodyCopy.of(requestBody, limit),
    status,
    responseHeaders: { ...json, ...responseHeaders },
    responseBody: BodyCopy.of(responseBody, limit),
    bytesAfterBodilessResponse: 0,
  };
}

const CASES = [
  { name: 'small GET', make: (n) => exchange(n, { path: '/small', responseBody: JSON.stringify({ id: 1, title: 'small' }) }) },
  {
    name: 'POST 1 KiB JSON',
    make: (n) =>
      exchange(n, {
        method: 'POST',
        path: '/items',
        requestBody: JSON.stringify({ name: 'x'.repeat(1000) }).slice(0, 1024),
        status: 201,
        responseBody: JSON.stringify({ id: n }),
        responseHeaders: { location: `/items/${n}` },
      }),
  },
  { name: 'GET 64 KiB JSON', make: (n) => exchange(n, { path: '/large', responseBody: JSON.stringify({ items }) }) },
];

const config = resolveConfig({ target: 'http://bench.test' });
const logger = createLogger({ level: 'info', credentialHeaders: [], destination: { write() {} } });
const spec = await loadSpec(join(root, 'bench/openapi.yaml'));
const pipelines = [
  { name: 'restaudit', pipeline: createAuditPipeline(config, { logger, processMetrics: false, targetHost: 'bench.test' }) },
  { name: 'restaudit --spec', pipeline: createAuditPipeline(config, { logger, processMetrics: false, targetHost: 'bench.test', spec }) },
];

const samples = new Map();
let n = 0;
let findings = 0;
for (const { pipeline } of pipelines) for (const testCase of CASES) for (let i = 0; i < 500; i++) pipeline.judge(testCase.make(++n), 0.001); // warm-up
for (let round = 0; round < rounds; round++) {
  for (const testCase of CASES) {
    const exchanges = Array.from({ length: iterations }, () => testCase.make(++n));
    for (const { name, pipeline } of pipelines) {
      const start = process.cpuUsage();
      for (const captured of exchanges) findings += pipeline.judge(captured, 0.001).findings.length;
      const used = process.cpuUsage(start);
      const key = `${testCase.name}|${name}`;
      samples.set(key, [...(samples.get(key) ?? []), (used.user + used.system) / iterations]);
    }
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const lines = [
  `Audit pipeline CPU per exchange (no network), medians of ${rounds} interleaved rounds of ${iterations} exchanges; ${findings} findings (the exchanges conform).`,
  '',
  '| case | restaudit µs/exchange | restaudit --spec µs/exchange | spec / no spec |',
  '|---|---:|---:|---:|',
];
for (const testCase of CASES) {
  const without = median(samples.get(`${testCase.name}|restaudit`));
  const withSpec = median(samples.get(`${testCase.name}|restaudit --spec`));
  lines.push(`| ${testCase.name} | ${without.toFixed(1)} | ${withSpec.toFixed(1)} | ${(withSpec / without).toFixed(2)} |`);
}
console.log(lines.join('\n'));
