import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BodyCopy } from '../../../src/capture/body-copy.js';
import type { CapturedExchange } from '../../../src/capture/exchange.js';
import { resolveConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/logging/logger.js';
import { createAuditPipeline } from '../../../src/pipeline/audit-pipeline.js';

function captured(parts: Partial<CapturedExchange>): CapturedExchange {
  return {
    id: 'rec-1',
    startedAt: 0,
    durationMs: 3,
    method: 'GET',
    path: '/',
    query: '',
    host: 'api.example',
    requestHeaders: {},
    requestBody: BodyCopy.of(''),
    status: 200,
    responseHeaders: {},
    responseBody: BodyCopy.of(''),
    bytesAfterBodilessResponse: 0,
    ...parts,
  };
}

function pipeline(config: Record<string, unknown> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    credentialHeaders: [],
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) },
  });
  let clock = 0;
  const built = createAuditPipeline(resolveConfig(config), { logger, registry: new Registry(), processMetrics: false, now: () => clock, targetHost: 'api.example' });
  return { built, lines, tick: (ms: number) => (clock += ms) };
}

describe('the audit pipeline, fed without a proxy', () => {
  it('routes, judges and reports a captured exchange: metrics, log line and /violations', async () => {
    const { built, lines } = pipeline();
    const { exchange, findings } = built.judge(captured({ method: 'POST', path: '/books/42', status: 201, requestHeaders: { authorization: 'Bearer x' } }), 0.01);
    expect(exchange.route).toBe('/books/:id');
    expect(exchange.hasCredentials).toBe(true);
    expect(findings.map((finding) => finding.rule)).toEqual(['created-without-location']);
    const text = await built.registry.metrics();
    expect(text).toContain('restaudit_requests_total{method="POST",route="/books/:id",status="201"} 1');
    expect(text).toContain('restaudit_violations_total{rule="created-without-location",severity="error",method="POST",route="/books/:id"} 1');
    expect(lines.filter((line) => line.msg === 'violation').map((line) => line.rule)).toEqual(['created-without-location']);
    expect(built.violations.recent().map((record) => record.requestId)).toEqual(['rec-1']);
  });

  it('remembers across exchanges: a DELETE then a GET that still answers', () => {
    const { built, tick } = pipeline();
    built.judge(captured({ method: 'DELETE', path: '/books/7', status: 204 }), undefined);
    tick(10);
    const { findings } = built.judge(captured({ id: 'rec-2', path: '/books/7', status: 200 }), undefined);
    expect(findings.map((finding) => finding.rule)).toEqual(['deleted-resource-still-served']);
  });

  it('counts an exchange it cannot judge, and a proxy fault, without findings', async () => {
    const { built } = pipeline();
    built.unjudged({ method: 'GET', path: '/books/1', status: 502, upstreamSeconds: undefined, reason: 'connect_refused' });
    const text = await built.registry.metrics();
    expect(text).toContain('restaudit_requests_total{method="GET",route="/books/:id",status="502"} 1');
    expect(text).toContain('restaudit_proxy_errors_total{reason="connect_refused"} 1');
    expect(built.violations.size).toBe(0);
  });
});
