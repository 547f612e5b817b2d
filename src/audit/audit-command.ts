import type { AddressInfo } from 'node:net';
import { createAdminServer } from '../admin/admin-server.js';
import type { Values } from '../cli-args.js';
import { readConfigFile, resolveConfig, type Override } from '../config/load.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import { createLogger, flushLogger, LOG_LEVELS } from '../logging/logger.js';
import { createAuditPipeline } from '../pipeline/audit-pipeline.js';
import { loadSpecIfNamed } from '../spec/load-spec-lazily.js';
import { bind, closeServer } from '../service.js';
import { readBaseline, writeBaseline } from './fingerprint.js';
import { rulesOf } from './formats/rule-info.js';
import { toJunit } from './formats/junit.js';
import { toSarif } from './formats/sarif.js';
import { AuditReport, SEVERITY_RANK, type RecordedFinding } from './report.js';
import { runAudit } from './run-audit.js';
import { INPUT_FORMATS, type InputFormat } from './sources.js';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** How a process asks `audit --follow` to stop: resolves on SIGTERM/SIGINT. */
export type StopSignal = (onStop: () => void) => void;

/**
 * `restaudit audit FILE|-`: recorded traffic through the audit pipeline. Resolves with the
 * exit status: 0, or 1 when a finding outside the baseline reaches `--fail-on`.
 */
export async function auditCommand(file: string, values: Values, env: NodeJS.ProcessEnv, onStopSignal: StopSignal): Promise<number> {
  const problems: string[] = [];
  const format = outputFormat(values, problems);
  const failOn = values['fail-on'] ?? 'error';
  if (SEVERITY_RANK[failOn] === undefined) problems.push(`--fail-on: expected one of error, warning, info, none, got '${failOn}'`);
  const input = values.input;
  if (input !== undefined && !(INPUT_FORMATS as readonly string[]).includes(input)) problems.push(`--input: expected one of ${INPUT_FORMATS.join(', ')}, got '${input}'`);
  const follow = values.follow === true;
  const level = values['log-level'] ?? (env.LOG_LEVEL === '' ? undefined : env.LOG_LEVEL) ?? 'info';
  if (follow) {
    if (format !== 'text') problems.push(`--format ${format} does not apply with --follow (findings go to the log, /metrics and /violations)`);
    for (const flag of ['baseline', 'write-baseline', 'fail-on'] as const) if (values[flag] !== undefined) problems.push(`--${flag} does not apply with --follow`);
    if (!(LOG_LEVELS as readonly string[]).includes(level)) problems.push(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  } else {
    if (values['admin-listen'] !== undefined) problems.push('--admin-listen applies with --follow only');
    if (values['log-level'] !== undefined) problems.push('--log-level applies with --follow only (without it, findings are the output)');
  }
  const configFile = values.config ?? (env.RESTAUDIT_CONFIG === '' ? undefined : env.RESTAUDIT_CONFIG);
  const overrides: Override[] = [];
  const spec = values.spec ?? (env.RESTAUDIT_SPEC === '' ? undefined : env.RESTAUDIT_SPEC);
  if (spec !== undefined) overrides.push({ key: 'spec', value: spec, source: values.spec !== undefined ? '--spec' : 'RESTAUDIT_SPEC' });
  if (follow) {
    const admin = values['admin-listen'] ?? (env.RESTAUDIT_ADMIN_LISTEN === '' ? undefined : env.RESTAUDIT_ADMIN_LISTEN);
    if (admin !== undefined) overrides.push({ key: 'admin', value: admin, source: values['admin-listen'] !== undefined ? '--admin-listen' : 'RESTAUDIT_ADMIN_LISTEN' });
    const token = env.RESTAUDIT_ADMIN_TOKEN;
    if (token !== undefined && token !== '') overrides.push({ key: 'adminToken', value: token, source: 'RESTAUDIT_ADMIN_TOKEN' });
  }
  let config;
  try {
    config = resolveConfig(configFile === undefined ? {} : readConfigFile(configFile), overrides, configFile);
  } catch (error) {
    if (error instanceof RestauditError) throw new RestauditError(error.code, [...problems, ...error.problems]);
    throw error;
  }
  if (problems.length > 0) throw new RestauditError(ERROR_CODES.usage, problems);
  const baseline = values.baseline === undefined ? new Set<string>() : readBaseline(values.baseline);

  const logger = createLogger({ level: follow ? (level as (typeof LOG_LEVELS)[number]) : 'silent', credentialHeaders: config.credentials.headers });
  const compiledSpec = await loadSpecIfNamed(config.spec);
  let clock = 0;
  // Recorded traffic costs no client anything: every body is scanned, never sampled.
  const inspectAll = { ...config, inspect: { ...config.inspect, jsonSampling: { ...config.inspect.jsonSampling, enabled: false } } };
  const pipeline = createAuditPipeline(inspectAll, {
    logger,
    spec: compiledSpec,
    processMetrics: follow,
    now: () => clock,
    targetHost: config.target === undefined ? '' : new URL(config.target).host,
  });
  const report = new AuditReport(baseline, SEVERITY_RANK[failOn] ?? 3);
  const rules = rulesOf(config);
  const stop = new AbortController();
  let admin: ReturnType<typeof createAdminServer> | undefined;
  if (follow) {
    admin = createAdminServer({
      metrics: async () => ({ contentType: pipeline.registry.contentType, text: await pipeline.registry.metrics() }),
      violations: (limit) => Promise.resolve(pipeline.violations.recent(limit)),
      ready: () => Promise.resolve(true),
      events: (onViolation) => pipeline.violations.subscribe(onViolation),
      customRules: config.custom,
      specCoverage: pipeline.coverage === undefined ? undefined : () => Promise.resolve(pipeline.coverage?.report()),
      token: config.adminToken,
    });
    const address: AddressInfo = await bind(admin, config.admin, 'admin-listen');
    // Before the line that says it is running: a stop sent on reading that line ends the run cleanly.
    onStopSignal(() => stop.abort());
    logger.info({ input: file, format: input ?? 'auto', admin: `${address.address}:${address.port}` }, `restaudit auditing ${file} as it grows, admin on ${address.address}:${address.port}`);
    if (input === 'nginx-json') logger.info({ rules: BODY_RULES }, 'nginx-json carries no bodies: the rules that read bodies are not judged');
  }
  const onFinding = format === 'text' && !follow ? (finding: RecordedFinding) => process.stdout.write(textLine(finding)) : undefined;
  try {
    await runAudit({ file, format: input as InputFormat | undefined, follow, config, pipeline, report, setClock: (ms) => (clock = ms), logger, onFinding, signal: stop.signal });
  } finally {
    if (admin !== undefined) {
      logger.info({ entries: report.entries, skipped: report.skipped, findings: report.findings }, 'stopped');
      await flushLogger(logger);
      admin.closeAllConnections();
      await closeServer(admin);
    }
  }
  if (follow) return 0;
  const summary = report.summary(values.baseline !== undefined);
  switch (format) {
    case 'text':
      process.stdout.write(`${summary}\n`);
      break;
    case 'json':
      process.stdout.write(`${JSON.stringify({ summary: summaryObject(report), findings: report.listed }, null, 2)}\n`);
      process.stderr.write(`${summary}\n`);
      break;
    case 'sarif':
      process.stdout.write(toSarif(report, rules, file));
      process.stderr.write(`${summary}\n`);
      break;
    case 'junit':
      process.stdout.write(toJunit(report, rules, file));
      process.stderr.write(`${summary}\n`);
      break;
  }
  if (values['write-baseline'] !== undefined) writeBaseline(values['write-baseline'], report.groups.values());
  return report.failing > 0 ? 1 : 0;
}

/** The rules that need a body, which a log without bodies cannot feed. */
export const BODY_RULES = [
  'post-200-without-location',
  'server-error-on-bad-input',
  'error-payload-with-success-status',
  'invalid-json-response',
  'problem-status-mismatch',
  'stack-trace-leak',
  'body-on-head',
];

function outputFormat(values: Values, problems: string[]): OutputFormat {
  const format = values.format;
  if (format === undefined) return values.json === true ? 'json' : 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    problems.push(`--format: expected one of ${OUTPUT_FORMATS.join(', ')}, got '${format}'`);
    return 'text';
  }
  if (values.json === true && format !== 'json') problems.push(`--json is --format json: it contradicts --format ${format}`);
  return format as OutputFormat;
}

function textLine(finding: RecordedFinding): string {
  const where = finding.line === undefined ? `#${finding.entry}` : `line ${finding.line}`;
  const known = finding.inBaseline ? ' (in baseline)' : '';
  return `${where} ${finding.method} ${finding.path} ${finding.status}  ${finding.severity.padEnd(7)} ${finding.rule}: ${finding.message}${known}\n`;
}

function summaryObject(report: AuditReport): Record<string, unknown> {
  return {
    entries: report.entries,
    skipped: report.skipped,
    skippedBy: Object.fromEntries(report.skippedBy),
    findings: report.findings,
    new: report.newFindings,
    fingerprints: report.groups.size,
    failing: report.failing,
    listed: report.listed.length,
  };
}
