#!/usr/bin/env node
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { auditCommand } from './audit/audit-command.js';
import { parseCommandLine, type Values } from './cli-args.js';
import { readConfigFile, resolveConfig, type Override } from './config/load.js';
import type { Config } from './config/schema.js';
import { startDemoBackend, demoCurlLines, type DemoBackend } from './demo/demo-backend.js';
import { ERROR_CODES, RestauditError } from './errors.js';
import { createLogger, flushLogger, LOG_LEVELS, type Logger } from './logging/logger.js';
import { ALL_RULES } from './rules/all-rules.js';
import { createAuditCore, createAuditProxy, DEFAULT_GRACE_MS } from './service.js';
import type { CompiledSpec } from './spec/compile-spec.js';
import { loadSpecIfNamed } from './spec/load-spec-lazily.js';
import { createPrimary } from './cluster/primary.js';
import { LessonBarrier } from './cluster/lesson-barrier.js';
import { answerPrimary, LessonSender, workerConfig, workerRegistry } from './cluster/worker.js';
import { VERSION } from './version.js';
import { boundHeapGrowth } from './heap-growth.js';

const USAGE = `restaudit ${VERSION}: a reverse proxy that audits live REST traffic against HTTP semantics

Usage:
  restaudit [--target URL] [--listen HOST:PORT] [--admin-listen HOST:PORT]
            [--config FILE] [--log-level LEVEL] [--workers N] [--spec FILE]
  restaudit rules [--json]           list every rule: id, default severity, summary, reference
  restaudit check-config FILE        validate a config file and the spec it names (exit 0, or 2 with each problem)
  restaudit audit FILE|- [--format text|json|sarif|junit] [--fail-on SEVERITY]
                  [--baseline FILE] [--write-baseline FILE] [--spec FILE] [--config FILE]
                  [--input har|ndjson|nginx-json] [--follow [--admin-listen HOST:PORT]]
                                     the same rules over recorded traffic (HAR, NDJSON of HAR
                                     entries, nginx JSON access logs); exit 1 when a finding not
                                     in the baseline is at least SEVERITY (default error; none
                                     never fails), 2 on bad input. docs/audit.md
  restaudit --version | --help

Options (flag > env var > config file > default):
  --target URL             RESTAUDIT_TARGET        upstream to proxy to (default: the embedded demo backend)
  --listen HOST:PORT       RESTAUDIT_LISTEN        proxy address (default 0.0.0.0:8080)
  --admin-listen HOST:PORT RESTAUDIT_ADMIN_LISTEN  the live page, /metrics /healthz /readyz /violations /events
                                                   /rules /runbooks (default 127.0.0.1:9464)
  --config FILE            RESTAUDIT_CONFIG        YAML or JSON config file
  --log-level LEVEL        LOG_LEVEL               ${LOG_LEVELS.join(', ')} (default info)
  --workers N              RESTAUDIT_WORKERS       proxy processes sharing the port, or auto (default 1;
                                                   each remembers only its own exchanges: docs/operations.md)
  --spec FILE              RESTAUDIT_SPEC          OpenAPI 3.0/3.1 document (YAML or JSON): its paths become
                                                   routes, and the spec rules run (docs/openapi.md)

RESTAUDIT_ADMIN_TOKEN (env only, or adminToken in the config file): when set, every admin
endpoint but /healthz needs Authorization: Bearer TOKEN, or Basic auth with TOKEN as the password.

Logs are JSON lines on stdout. Docs: README.md and docs/.
`;

/** Runs the CLI; resolves with the exit status. The only place that decides one. */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { command, values, args: rest } = parseCommandLine(argv);
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version === true) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'serve':
      if (rest.length > 0) throw new RestauditError(ERROR_CODES.usage, [`unknown command '${rest[0] ?? ''}' (see restaudit --help)`]);
      return serve(values, env);
    case 'rules':
      expectArgs('rules', rest, 0);
      printRules(values.json === true);
      return 0;
    case 'check-config': {
      expectArgs('check-config', rest, 1);
      const file = rest[0] as string;
      const config = resolveConfig(readConfigFile(file), [], file);
      await loadSpecIfNamed(config.spec);
      process.stdout.write(`${file}: ok\n`);
      return 0;
    }
    case 'audit':
      expectArgs('audit', rest, 1);
      // Audit remembers as the proxy does, and reads fast: the same bound on heap growth.
      boundHeapGrowth();
      return auditCommand(rest[0] as string, values, env, (onStop) => void stopSignal(['SIGTERM', 'SIGINT'], onStop));
  }
}

function expectArgs(command: string, args: readonly string[], count: number): void {
  if (args.length !== count) {
    throw new RestauditError(ERROR_CODES.usage, [
      count === 0 ? `${command} takes no arguments, got '${args.join(' ')}'` : `${command} needs exactly ${count} argument${count > 1 ? 's' : ''}`,
    ]);
  }
}

function printRules(json: boolean): void {
  const rules = ALL_RULES.map(({ id, severity, enabledByDefault, scope, summary, reference, requiresSpec }) => ({ id, severity, enabled: enabledByDefault, scope, summary, reference, ...(requiresSpec === true ? { requiresSpec } : {}) }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ rules }, null, 2)}\n`);
    return;
  }
  const width = Math.max(...rules.map((rule) => rule.id.length));
  for (const rule of rules) {
    const flags = `${rule.enabled ? '' : ' (disabled by default)'}${rule.requiresSpec === true ? ' (with --spec)' : ''}`;
    process.stdout.write(`${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.summary}${flags} [${rule.reference}]\n`);
  }
}

function overridesFrom(values: Values, env: NodeJS.ProcessEnv): Override[] {
  const overrides: Override[] = [];
  const add = (key: Override['key'], flag: string, flagValue: string | undefined, envName: string): void => {
    if (flagValue !== undefined) overrides.push({ key, value: flagValue, source: flag });
    else {
      const envValue = env[envName];
      if (envValue !== undefined && envValue !== '') overrides.push({ key, value: envValue, source: envName });
    }
  };
  add('target', '--target', values.target, 'RESTAUDIT_TARGET');
  add('listen', '--listen', values.listen, 'RESTAUDIT_LISTEN');
  add('admin', '--admin-listen', values['admin-listen'], 'RESTAUDIT_ADMIN_LISTEN');
  add('workers', '--workers', values.workers, 'RESTAUDIT_WORKERS');
  add('spec', '--spec', values.spec, 'RESTAUDIT_SPEC');
  add('adminToken', '', undefined, 'RESTAUDIT_ADMIN_TOKEN');
  return overrides;
}

async function serve(values: Values, env: NodeJS.ProcessEnv): Promise<number> {
  boundHeapGrowth();
  if (cluster.isWorker) return serveWorker(env);
  const level = values['log-level'] ?? (env.LOG_LEVEL === '' ? undefined : env.LOG_LEVEL) ?? 'info';
  const problems: string[] = [];
  if (!isLogLevel(level)) {
    problems.push(`${values['log-level'] !== undefined ? '--log-level' : 'LOG_LEVEL'}: expected one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  const file = values.config ?? (env.RESTAUDIT_CONFIG === '' ? undefined : env.RESTAUDIT_CONFIG);
  let config: Config;
  try {
    config = resolveConfig(file === undefined ? {} : readConfigFile(file), overridesFrom(values, env), file);
  } catch (error) {
    if (error instanceof RestauditError) throw new RestauditError(error.code, [...problems, ...error.problems]);
    throw error;
  }
  if (problems.length > 0 || !isLogLevel(level)) throw new RestauditError(ERROR_CODES.configInvalid, problems);
  // Read and compiled once, before anything listens: a broken spec stops start-up.
  const spec = await loadSpecIfNamed(config.spec);

  const logger = createLogger({ level, credentialHeaders: config.credentials.headers });
  let demo: DemoBackend | undefined;
  let target = config.target;
  if (target === undefined) {
    demo = await startDemoBackend({ host: '127.0.0.1', port: 0 });
    target = demo.url;
  }
  const service = config.workers > 1 ? createPrimary({ config: { ...config, target }, logger, level, spec }) : createAuditProxy({ ...config, target }, { logger, spec });
  let addresses;
  try {
    addresses = await service.listen();
  } catch (error) {
    await demo?.close();
    throw error;
  }
  const listen = hostPortOf(addresses.proxy);
  const admin = hostPortOf(addresses.admin);
  // Signals are handled before the start-up line says the proxy is ready: a supervisor that
  // stops it as soon as it reads that line must get a drain, not the default death by SIGTERM.
  const stopping = stopSignal(['SIGTERM', 'SIGINT'], (signal) => logger.info({ signal, graceMs: DEFAULT_GRACE_MS }, 'shutting down'));
  const onHangup = (): void => reloadConfig(file, values, env, logger, (next) => service.reload({ ...next, target: next.target ?? target }));
  process.on('SIGHUP', onHangup);
  logger.info(
    { version: VERSION, listen, admin, target, demo: demo !== undefined, rules: ALL_RULES.length, workers: config.workers, spec: specSummary(spec) },
    demo === undefined ? `restaudit listening on ${listen}, proxying to ${target}` : `restaudit listening on ${listen}, proxying to the embedded demo backend at ${target}`,
  );
  if (demo !== undefined) printBanner(`http://127.0.0.1:${addresses.proxy.port}`, `http://127.0.0.1:${addresses.admin.port}`);

  await stopping;
  process.removeListener('SIGHUP', onHangup);
  process.on('SIGHUP', ignore);
  await service.close(DEFAULT_GRACE_MS);
  await demo?.close();
  logger.info('stopped');
  await flushLogger(logger);
  return 0;
}

/**
 * SIGHUP: re-reads the config file, with the same flags and env vars laid over it. A valid
 * one applies to new exchanges (those in flight finish on the old one); an invalid one is
 * logged with each problem, and the running configuration is kept.
 */
function reloadConfig(file: string | undefined, values: Values, env: NodeJS.ProcessEnv, logger: Logger, apply: (config: Config) => string[]): void {
  if (file === undefined) {
    logger.warn({ signal: 'SIGHUP' }, 'no config file to re-read, running config kept');
    return;
  }
  let next: Config;
  try {
    next = resolveConfig(readConfigFile(file), overridesFrom(values, env), file);
  } catch (error) {
    const problems = error instanceof RestauditError ? error.problems : [(error as Error).message];
    logger.error({ signal: 'SIGHUP', file, problems }, 'config reload failed, running config kept');
    return;
  }
  const restartRequired = apply(next);
  logger.info({ signal: 'SIGHUP', file, restartRequired }, 'config reloaded');
}

/**
 * One `--workers` process: the proxy without an admin port, on the configuration the
 * primary validated. It stops on SIGTERM/SIGINT, or when the primary goes away.
 */
async function serveWorker(env: NodeJS.ProcessEnv): Promise<number> {
  const config = workerConfig(env);
  const level = env.LOG_LEVEL;
  const logger = createLogger({ level: isLogLevel(level) ? level : 'info', credentialHeaders: config.credentials.headers });
  const lessons = new LessonSender();
  const spec = await loadSpecIfNamed(config.spec);
  const barrier = new LessonBarrier((message) => process.send?.(message));
  const core = createAuditCore(config, { logger, registry: workerRegistry(), share: lessons.share, gate: barrier, spec });
  // A hangup of the terminal reaches every process of the group: the primary re-reads the
  // configuration and hands it to the workers, which must not die of the signal meanwhile.
  process.on('SIGHUP', ignore);
  // Handled before listening: the primary may stop a worker that has only just started.
  const stopping = stopSignal(['SIGTERM', 'SIGINT', 'disconnect'], () => undefined);
  await core.listen();
  const stopAnswering = answerPrimary(core, barrier);
  await stopping;
  // Ctrl-C reaches every process of the group, then the primary sends SIGTERM as well: the
  // second signal must not cut the exchanges this worker is finishing (the primary kills
  // a worker that outlives the grace period).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, ignore);
  stopAnswering();
  await core.close(DEFAULT_GRACE_MS);
  barrier.release();
  await flushLogger(logger);
  return 0;
}

function ignore(): void {}

function specSummary(spec: CompiledSpec | undefined): { file: string; version: string; operations: number; basePath: string } | undefined {
  return spec === undefined ? undefined : { file: spec.file, version: spec.version, operations: spec.operations.length, basePath: spec.basePath };
}

function isLogLevel(level: string | undefined): level is (typeof LOG_LEVELS)[number] {
  return (LOG_LEVELS as readonly (string | undefined)[]).includes(level);
}

/** Resolves on the first of these process events (signals, or `disconnect` from the primary). */
function stopSignal(events: readonly string[], onStop: (event: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const handlers = events.map((name) => {
      const handler = (): void => {
        for (const [event, h] of handlers) process.removeListener(event, h);
        onStop(name);
        resolve();
      };
      process.once(name, handler);
      return [name, handler] as const;
    });
  });
}

function hostPortOf(address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}

function printBanner(proxyUrl: string, adminUrl: string): void {
  const lines = [
    '',
    `restaudit is auditing the embedded demo backend through ${proxyUrl}`,
    'Try a few exchanges, then look at what restaudit saw:',
    ...demoCurlLines(proxyUrl).map((line) => `  ${line}`),
    '  (every flawed endpoint, cross-exchange sequences included: docs/demo.md)',
    `  open ${adminUrl}/ in a browser: the live page (counts, evidence, filters, updating as you go)`,
    `  curl -s ${adminUrl}/violations | head -c 2000`,
    `  curl -s ${adminUrl}/metrics | grep restaudit_violations_total`,
    'Run with --target http://your-backend:port to audit your own service.',
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

main(process.argv.slice(2), process.env).then(
  (status) => {
    process.exitCode = status;
    if (status === 0) setImmediate(() => process.exit(0));
  },
  (error: unknown) => {
    if (error instanceof RestauditError) {
      for (const problem of error.problems) process.stderr.write(`restaudit: ${problem}\n`);
      process.exit(2);
    }
    process.stderr.write(`restaudit: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
