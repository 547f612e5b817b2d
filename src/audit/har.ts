import { readFileSync } from 'node:fs';
import { harExchange, safeUrl, type HarEntry } from '../capture/har-entry.js';
import type { Config } from '../config/schema.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { createAuditPipeline } from '../pipeline/audit-pipeline.js';
import type { CompiledSpec } from '../spec/compile-spec.js';
import type { Finding } from '../rules/types.js';

/** A finding in recorded traffic, with the exchange it was found in. */
export interface RecordedFinding extends Finding {
  readonly entry: number;
  readonly method: string;
  readonly path: string;
  readonly route: string;
  readonly status: number;
}

/** Reads a HAR 1.2 file's entries; throws RA_ERR_INPUT naming what is wrong. */
export function readHar(file: string): HarEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RestauditError(ERROR_CODES.input, [`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  const entries = (value as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw new RestauditError(ERROR_CODES.input, [`${file}: log.entries: expected a list (is this a HAR file?)`]);
  const problems: string[] = [];
  entries.forEach((entry: Partial<HarEntry> | null, index) => {
    if (typeof entry?.request?.method !== 'string' || typeof entry.request.url !== 'string') problems.push(`${file}: log.entries[${index}].request: expected method and url`);
    else if (typeof entry.response?.status !== 'number') problems.push(`${file}: log.entries[${index}].response.status: expected a number`);
  });
  if (problems.length > 0) throw new RestauditError(ERROR_CODES.input, problems);
  return entries as HarEntry[];
}

/**
 * Runs recorded traffic through the audit pipeline, in the order it happened, with the
 * same rules and memory as live traffic; memory's clock is the entries' start times.
 */
export function auditHar(entries: readonly HarEntry[], config: Config, spec?: CompiledSpec): RecordedFinding[] {
  let clock = 0;
  const ordered = entries
    .map((entry, index) => ({ entry, index, at: Date.parse(entry.startedDateTime ?? '') }))
    .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? a.index - b.index : a.at - b.at || a.index - b.index));
  const firstUrl = ordered[0] === undefined ? undefined : safeUrl(ordered[0].entry.request.url);
  // Recorded traffic costs no client anything: every body is scanned, never sampled.
  const inspectAll = { ...config, inspect: { ...config.inspect, jsonSampling: { ...config.inspect.jsonSampling, enabled: false } } };
  const pipeline = createAuditPipeline(inspectAll, {
    logger: createLogger({ level: 'silent', credentialHeaders: config.credentials.headers }),
    processMetrics: false,
    now: () => clock,
    targetHost: config.target === undefined ? (firstUrl?.host ?? '') : new URL(config.target).host,
    spec,
  });
  const findings: RecordedFinding[] = [];
  for (const { entry, index, at } of ordered) {
    if (!Number.isNaN(at)) clock = at;
    const captured = harExchange(entry, `har-${index}`, config.inspect.maxBodyBytes);
    if (captured === undefined) continue;
    const { exchange, findings: found } = pipeline.judge(captured, undefined);
    for (const finding of found) {
      findings.push({ ...finding, entry: index, method: exchange.method, path: exchange.path, route: exchange.route, status: exchange.status });
    }
  }
  return findings;
}
