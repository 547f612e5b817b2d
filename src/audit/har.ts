import type { IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import { BodyCopy } from '../capture/body-copy.js';
import type { Exchange } from '../capture/exchange.js';
import type { Config } from '../config/schema.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import { ExchangeMemory } from '../memory/exchange-memory.js';
import { credentialDetector } from '../proxy/credentials.js';
import { RouteResolver } from '../routes/route-resolver.js';
import { Auditor } from '../rules/auditor.js';
import { ALL_RULES } from '../rules/all-rules.js';
import { RuleEngine } from '../rules/engine.js';
import type { CompiledSpec } from '../spec/compile-spec.js';
import { SpecCoverage } from '../spec/coverage.js';
import type { Finding } from '../rules/types.js';

interface HarHeader {
  readonly name: string;
  readonly value: string;
}

interface HarEntry {
  readonly startedDateTime?: string;
  readonly time?: number;
  readonly request: { method: string; url: string; headers?: HarHeader[]; postData?: { mimeType?: string; text?: string } };
  readonly response: { status: number; headers?: HarHeader[]; content?: { text?: string; encoding?: string } };
}

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
 * Runs the rules over recorded traffic, in the order it happened, with the same engine and
 * memory as live traffic. HAR bodies are stored decoded, so Content-Encoding is not undone.
 */
export function auditHar(entries: readonly HarEntry[], config: Config, spec?: CompiledSpec): RecordedFinding[] {
  let clock = 0;
  const memory = new ExchangeMemory({ ...config.memory, now: () => clock });
  const engine = new RuleEngine(config, memory, undefined, ALL_RULES, spec !== undefined);
  const routes = new RouteResolver(config.routes, Number.MAX_SAFE_INTEGER, undefined, spec?.paths);
  const coverage = spec === undefined ? undefined : new SpecCoverage(spec.file, spec.operations);
  const hasCredentials = credentialDetector(config.credentials.headers, config.credentials.cookies);
  const limit = config.inspect.maxBodyBytes;
  const ordered = entries
    .map((entry, index) => ({ entry, index, at: Date.parse(entry.startedDateTime ?? '') }))
    .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? a.index - b.index : a.at - b.at || a.index - b.index));
  const firstUrl = ordered[0] === undefined ? undefined : safeUrl(ordered[0].entry.request.url);
  const auditor = new Auditor(engine, memory, config.target === undefined ? (firstUrl?.host ?? '') : new URL(config.target).host, Math.max(1 << 20, limit * 16), undefined, coverage);
  const findings: RecordedFinding[] = [];
  for (const { entry, index, at } of ordered) {
    if (!Number.isNaN(at)) clock = at;
    const url = safeUrl(entry.request.url);
    if (url === undefined) continue;
    const requestHeaders = headersOf(entry.request.headers);
    const responseHeaders = headersOf(entry.response.headers);
    // Bodies in a HAR are already decoded.
    delete responseHeaders['content-encoding'];
    delete requestHeaders['content-encoding'];
    const content = entry.response.content;
    const responseBytes = content?.text === undefined ? Buffer.alloc(0) : Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8');
    const path = url.pathname;
    const route = routes.resolve(path);
    const exchange: Exchange = {
      id: `har-${index}`,
      startedAt: Number.isNaN(at) ? 0 : at,
      durationMs: entry.time ?? 0,
      method: entry.request.method.toUpperCase(),
      path,
      query: url.search.slice(1),
      route: route.template,
      host: requestHeaders.host ?? url.host,
      requestHeaders,
      requestBody: BodyCopy.of(entry.request.postData?.text ?? '', limit),
      hasCredentials: hasCredentials(requestHeaders),
      status: entry.response.status,
      responseHeaders,
      responseBody: BodyCopy.of(responseBytes, limit),
      bytesAfterBodilessResponse: 0,
    };
    for (const finding of auditor.audit(exchange, route.spec)) {
      findings.push({ ...finding, entry: index, method: exchange.method, path, route: exchange.route, status: exchange.status });
    }
  }
  return findings;
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function headersOf(list: readonly HarHeader[] | undefined): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const { name, value } of list ?? []) {
    const key = name.toLowerCase();
    if (key.startsWith(':')) continue; // HTTP/2 pseudo-headers
    const existing = headers[key];
    if (existing === undefined) headers[key] = key === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[key] = key === 'cookie' ? `${existing}; ${value}` : `${existing}, ${value}`;
  }
  return headers;
}
