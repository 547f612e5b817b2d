import { Registry } from 'prom-client';
import type { Exchange } from '../../src/capture/exchange.js';
import { resolveConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logging/logger.js';
import { createAuditProxy, type AuditProxy } from '../../src/service.js';
import type { Started } from './servers.js';

/** A log line as restaudit wrote it, parsed. */
export type LogLine = Record<string, unknown> & { msg: string; level: number };

export interface RunningAudit extends Started {
  readonly adminUrl: string;
  readonly service: AuditProxy;
  /** Every JSON line logged so far, parsed. */
  readonly lines: LogLine[];
  /** The raw text logged so far (to search for anything that must never appear). */
  readonly raw: () => string;
  /** The exchanges recorded so far (after their rules ran). */
  readonly exchanges: Exchange[];
  /** The violation log lines so far. */
  violationLines(): LogLine[];
  /** The `/metrics` text from the admin port. */
  metrics(): Promise<string>;
  /** The `/violations` answer from the admin port. */
  violations(limit?: number): Promise<Array<Record<string, unknown>>>;
  /** Waits until `n` exchanges were recorded in all. */
  settled(n: number): Promise<void>;
}

/**
 * The real restaudit in front of `target`, on 127.0.0.1 port 0 for both ports, with its
 * logs captured as parsed lines. `config` is a config file's content.
 */
export async function startAudit(target: string, config: Record<string, unknown> = {}, options: { now?: () => number; processMetrics?: boolean } = {}): Promise<RunningAudit> {
  const resolved = resolveConfig({ ...config, target, listen: '127.0.0.1:0', admin: '127.0.0.1:0' });
  const text: string[] = [];
  const lines: LogLine[] = [];
  const destination = {
    write(chunk: string): void {
      text.push(chunk);
      for (const line of chunk.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
    },
  };
  const logger = createLogger({ level: 'debug', credentialHeaders: resolved.credentials.headers, destination });
  const exchanges: Exchange[] = [];
  const service = createAuditProxy({ ...resolved, target }, {
    logger,
    registry: new Registry(),
    processMetrics: options.processMetrics ?? false,
    onExchange: (exchange) => exchanges.push(exchange),
    now: options.now,
  });
  const { proxy, admin } = await service.listen();
  const adminUrl = `http://127.0.0.1:${admin.port}`;
  return {
    url: `http://127.0.0.1:${proxy.port}`,
    port: proxy.port,
    adminUrl,
    service,
    lines,
    raw: () => text.join(''),
    exchanges,
    violationLines: () => lines.filter((line) => line.msg === 'violation'),
    metrics: async () => (await fetch(`${adminUrl}/metrics`)).text(),
    violations: async (limit = 1000) => ((await (await fetch(`${adminUrl}/violations?limit=${limit}`)).json()) as { violations: Array<Record<string, unknown>> }).violations,
    settled: async (n) => {
      const deadline = Date.now() + 3000;
      while (exchanges.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} exchanges, saw ${exchanges.length}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () => service.close(1000),
  };
}

/** The value of one sample in Prometheus text, or undefined when absent. */
export function sample(metricsText: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matchesAll = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matchesAll) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
