import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { serveCli } from '../e2e/cli-process.js';
import { startAudit } from '../helpers/audit.js';
import { json, startScriptedBackend, type Script } from '../helpers/scripted-backend.js';
import { eventually, request, type Started } from '../helpers/servers.js';

/**
 * The shipped dashboard and alert rules against a real Prometheus scraping a real restaudit:
 * every expression must parse, and the traffic, violation and latency panels must return
 * series with the labels they group by.
 */
function has(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = has('prometheus') && has('promtool');
if (!available) {
  const reason = 'prometheus/promtool not installed (Debian package `prometheus`; .ci/run installs it)';
  if (process.env.CI === 'true') throw new Error(`${reason}: required under CI=true`);
  console.warn(`skipping the Prometheus tests: ${reason}`);
}

const DASHBOARD = resolve('dashboards/restaudit.json');
const ALERTS = resolve('dashboards/alerts.yaml');

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string; format?: string }>;
  fieldConfig?: { defaults: { unit?: string }; overrides: Array<{ matcher: { options: string }; properties: Array<{ id: string; value: Array<{ url: string }> }> }> };
  transformations?: Array<{ id: string; options: { excludeByName?: Record<string, boolean> } }>;
}

interface Dashboard {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; definition?: string }> };
  annotations: { list: Array<{ name: string; expr?: string }> };
}

/** Grafana's variables as a user with "All" selected would send them. */
function substitute(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '5m')
    .replace(/\$(job|instance|route|rule|severity)\b/g, '.*');
}

/** Starts Prometheus on a free port (it cannot take port 0): tries a few at random. */
async function startPrometheus(adminPort: number, dir: string): Promise<{ url: string; child: ChildProcess }> {
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${ALERTS}']`,
      'scrape_configs:',
      '  - job_name: restaudit',
      `    static_configs: [{ targets: ['127.0.0.1:${adminPort}'] }]`,
    ].join('\n'),
  );
  for (let attempt = 0; attempt < 8; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const child = spawn(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, `data-${attempt}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<boolean>((done) => child.once('exit', () => done(true)));
    const url = `http://127.0.0.1:${port}`;
    const ready = (async () => {
      for (let i = 0; i < 200; i++) {
        try {
          if ((await fetch(`${url}/-/ready`)).status === 200) return true;
        } catch {
          // not up yet
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    })();
    const outcome = await Promise.race([ready, exited.then(() => false)]);
    if (outcome) return { url, child };
    child.kill('SIGKILL');
    if (!/address already in use/.test(stderr) && attempt > 2) throw new Error(`prometheus did not start: ${stderr}`);
  }
  throw new Error('prometheus did not start on any port tried');
}

interface QueryResult {
  status: string;
  error?: string;
  data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/** A running restaudit as these tests need it: where to send traffic, where to scrape. */
interface Scraped {
  readonly url: string;
  readonly adminUrl: string;
  close(): Promise<unknown>;
}

/** In this process, as the other integration tests run it. */
async function inProcess(target: string): Promise<Scraped> {
  return startAudit(target, {}, { processMetrics: true });
}

/** The built CLI with two workers: the primary's aggregated /metrics is what is scraped. */
async function twoWorkers(target: string): Promise<Scraped> {
  const serving = await serveCli(['--target', target, '--workers', '2']);
  return { url: serving.proxyUrl, adminUrl: serving.adminUrl, close: () => serving.stop('SIGTERM') };
}

describe.skipIf(!available).each([
  ['one process', inProcess],
  ['--workers 2', twoWorkers],
] as const)('dashboard and alerts against a real Prometheus (%s)', (_name, start) => {
  let backend: Started & { script: Script };
  let audit: Scraped;
  let prometheus: { url: string; child: ChildProcess };
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-prom-'));

  async function query(expr: string): Promise<QueryResult> {
    const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await response.json()) as QueryResult;
  }

  beforeAll(async () => {
    backend = await startScriptedBackend((req) => {
      if (req.method === 'POST') return json(201, { id: 1 });
      if (req.url === '/me') return json(401, { error: 'who are you' });
      return json(200, { id: 1, title: 'fine' });
    });
    audit = await start(backend.url);
    prometheus = await startPrometheus(Number(new URL(audit.adminUrl).port), dir);
    // Prometheus applies its targets a few seconds after start: wait for the first scrape.
    await eventually(async () => ((await query('up{job="restaudit"} == 1')).data?.result.length === 1 ? true : undefined), 20_000);
    // Traffic over several scrapes, so that rate() sees the counters move.
    for (let round = 0; round < 5; round++) {
      await request(`${audit.url}/orders`, { method: 'POST', body: '{"item":1}', headers: { 'content-type': 'application/json' } });
      await request(`${audit.url}/me`);
      await request(`${audit.url}/books/${round + 1}`);
      await new Promise((r) => setTimeout(r, 700));
    }
    await eventually(async () => {
      const result = await query('sum(rate(restaudit_violations_total[1m])) > 0');
      return (result.data?.result.length ?? 0) > 0 ? true : undefined;
    }, 20_000);
  }, 60_000);

  afterAll(async () => {
    prometheus?.child.kill('SIGTERM');
    await audit?.close();
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const targets = [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => [panel.title, target.expr] as const)),
    ...dashboard.annotations.list.flatMap((annotation) => (annotation.expr === undefined ? [] : [[`annotation ${annotation.name}`, annotation.expr] as const])),
  ];

  it('shows ratios as percentages, tables without Time/Value/__name__ columns, and links to rule pages and runbooks', () => {
    const ratio = dashboard.panels.find((panel) => panel.title === 'Violation ratio per route');
    expect(ratio?.fieldConfig?.defaults.unit).toBe('percentunit');
    const tables = dashboard.panels.filter((panel) => panel.type === 'table');
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      expect(table.targets?.every((target) => target.format === 'table'), table.title).toBe(true);
      const excluded = table.transformations?.find((t) => t.id === 'organize')?.options.excludeByName ?? {};
      expect(excluded, table.title).toMatchObject({ Time: true, __name__: true });
    }
    const links = tables.flatMap((table) => table.fieldConfig?.overrides.flatMap((o) => o.properties.flatMap((p) => (p.id === 'links' ? p.value.map((l) => l.url) : []))) ?? []);
    expect(links).toContain('http://${__data.fields.instance}/rules/${__value.raw}');
    for (const alert of ['RestauditSemanticRegression', 'RestauditViolationRatioHigh', 'RestauditProxyErrors', 'RestauditDown']) {
      expect(links).toContain(`http://\${__value.raw}/runbooks/${alert}`);
    }
    expect(dashboard.annotations.list.filter((annotation) => annotation.expr !== undefined).length).toBeGreaterThanOrEqual(2);
  });

  it('has a datasource variable and job, instance, route, rule and severity variables', () => {
    const names = dashboard.templating.list.map((variable) => `${variable.name}:${variable.type}`);
    expect(names).toEqual(expect.arrayContaining(['datasource:datasource', 'job:query', 'instance:query', 'route:query', 'rule:query', 'severity:custom']));
  });

  it.each(targets)('panel "%s": %s parses', async (_title, expr) => {
    const result = await query(substitute(expr));
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('success');
  });

  it.each([
    ['Request rate by status class', ['status_class']],
    ['Violations per second by rule and severity', ['rule', 'severity']],
    ['Top routes by violations', ['route']],
    ['Violation ratio per route', ['route']],
    ['Upstream latency p50 / p95 / p99', []],
    ['Memory entries', ['instance']],
    ['Build info', ['version', 'node_version', 'instance']],
    ['Violations by rule (table)', ['rule', 'severity', 'method', 'route', 'instance']],
    ['Resident memory', ['instance']],
  ])('panel "%s" returns series with its labels', async (title, labels) => {
    const panel = dashboard.panels.find((candidate) => candidate.title === title);
    expect(panel, title).toBeDefined();
    for (const target of panel?.targets ?? []) {
      const result = await query(substitute(target.expr));
      expect(result.data?.result.length, target.expr).toBeGreaterThan(0);
      for (const series of result.data?.result ?? []) {
        for (const label of labels) expect(series.metric[label], `${label} in ${target.expr}`).toBeTruthy();
        expect(Number.isNaN(Number(series.value[1]))).toBe(false);
      }
    }
  });

  it('sees the violations the traffic caused, by rule', async () => {
    const result = await query(substitute(dashboard.panels.find((panel) => panel.title === 'Violations per second by rule and severity')!.targets![0]!.expr));
    const rules = result.data?.result.map((series) => series.metric.rule);
    expect(rules).toEqual(expect.arrayContaining(['created-without-location', 'unauthorized-without-www-authenticate']));
  });

  it('answers the variable queries (label_values) with values', async () => {
    for (const variable of dashboard.templating.list.filter((candidate) => candidate.type === 'query')) {
      const match = /^label_values\((.+), (\w+)\)$/.exec(variable.definition ?? '');
      expect(match, variable.name).not.toBeNull();
      const result = await query(`count by (${match![2]}) (${substitute(match![1]!)})`);
      expect(result.data?.result.length, variable.name).toBeGreaterThan(0);
    }
  });

  it('accepts every alert rule expression, and Prometheus loaded the rules', async () => {
    const file = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const rules = file.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).toEqual(['RestauditSemanticRegression', 'RestauditViolationRatioHigh', 'RestauditProxyErrors', 'RestauditDown']);
    for (const rule of rules) {
      const result = await query(rule.expr);
      expect(result.error, rule.alert).toBeUndefined();
      expect(result.status).toBe('success');
    }
    const loaded = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> } };
    const health = loaded.data.groups.flatMap((group) => group.rules).map((rule) => `${rule.name}:${rule.health}`);
    for (const rule of rules) expect(health.some((entry) => new RegExp(`^${rule.alert}:(ok|unknown)$`).test(entry)), rule.alert).toBe(true);
  });

  it('serves /metrics that passes promtool check metrics', async () => {
    const text = await (await fetch(`${audit.adminUrl}/metrics`)).text();
    expect(text).toContain('restaudit_nodejs_active_handles');
    expect(text).toContain('restaudit_violations_total{');
    // promtool exits 3 and names each problem on stderr when the lint fails.
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stderr + lint.stdout).toBe('');
    expect(lint.status).toBe(0);
  });

  it('passes promtool check rules and the alert unit tests', () => {
    expect(execFileSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' })).toContain('SUCCESS: 4 rules found');
    expect(execFileSync('promtool', ['test', 'rules', resolve('dashboards/alerts.test.yaml')], { encoding: 'utf8' })).toContain('SUCCESS');
  });
});
