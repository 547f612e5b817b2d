import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

/** The shipped operational files hang together: what they mount exists, what they name is real. */
describe('shipped assets', () => {
  it('examples/compose.yaml mounts files that exist and builds the Dockerfile', () => {
    const file = resolve('examples/compose.yaml');
    const compose = parseYaml(readFileSync(file, 'utf8')) as { services: Record<string, { build?: string; volumes?: string[] }> };
    expect(Object.keys(compose.services)).toEqual(['restaudit', 'prometheus', 'grafana']);
    expect(existsSync(resolve(dirname(file), compose.services.restaudit?.build ?? '', 'Dockerfile'))).toBe(true);
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        expect(existsSync(resolve(dirname(file), source)), source).toBe(true);
      }
    }
  });

  it('the dashboard uses the datasource variable everywhere and only metrics restaudit exports', () => {
    const dashboard = JSON.parse(readFileSync('dashboards/restaudit.json', 'utf8')) as {
      panels: Array<{ id: number; datasource?: { uid: string }; targets?: Array<{ expr: string; datasource: { uid: string } }> }>;
    };
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sources = readFileSync('src/metrics/metrics.ts', 'utf8');
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        expect(target.datasource.uid).toBe('${datasource}');
        for (const metric of target.expr.match(/restaudit_[a-z_]+/g) ?? []) {
          const base = metric.replace(/_(bucket|sum|count)$/, '');
          const isProcessMetric = base.startsWith('restaudit_process_') || base.startsWith('restaudit_nodejs_');
          expect(isProcessMetric || sources.includes(`'${base}'`), metric).toBe(true);
        }
      }
    }
  });

  it('every alert has a summary, a description and a runbook entry in docs/operations.md', () => {
    const rules = (parseYaml(readFileSync('dashboards/alerts.yaml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; annotations: Record<string, string> }> }> }).groups.flatMap((group) => group.rules);
    const runbook = readFileSync('docs/operations.md', 'utf8');
    for (const rule of rules) {
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.description, rule.alert).toBeTruthy();
      // Absolute, on the instance's admin port (restaudit serves /runbooks/<AlertName>).
      expect(rule.annotations.runbook_url).toContain('http://{{');
      expect(rule.annotations.runbook_url).toMatch(new RegExp(`/runbooks/${rule.alert}(\\{\\{ end \\}\\})?$`));
      expect(runbook).toContain(`### ${rule.alert}`);
    }
  });
});
