import { relative, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Severity } from '../../rules/types.js';
import { VERSION } from '../../version.js';
import type { AuditReport, FindingGroup } from '../report.js';
import type { RuleInfo } from './rule-info.js';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub code scanning's security-severity is for security rules; restaudit's are correctness. */
const INFORMATION_URI = 'https://www.rfc-editor.org/rfc/rfc9110';

/**
 * SARIF 2.1.0, as GitHub code scanning takes it: one result per fingerprint (rule, method,
 * route, host), located in the input file (the line for line inputs, the entry's index in
 * the message for HAR) and named by a logical location `METHOD route` on the host;
 * `partialFingerprints` carries the fingerprint, so alerts follow a finding across runs.
 */
export function toSarif(report: AuditReport, rules: ReadonlyMap<string, RuleInfo>, inputFile: string): string {
  const reported = [...new Set([...report.groups.values()].map((group) => group.rule))];
  const ruleList = [...rules.values()].filter((rule) => reported.includes(rule.id) || !rule.reference.startsWith('custom'));
  const index = new Map(ruleList.map((rule, i) => [rule.id, i]));
  const uri = artifactUri(inputFile);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'restaudit',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: INFORMATION_URI,
            rules: ruleList.map(describeRule),
          },
        },
        artifacts: [{ location: { uri } }],
        results: [...report.groups.values()].map((group) => result(group, index.get(group.rule), uri)),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function describeRule(rule: RuleInfo): Record<string, unknown> {
  const help = `${rule.summary}. Reference: ${rule.reference}. Silence it per route with \`rules.${rule.id}.ignoreRoutes\`, or turn it off with \`rules.${rule.id}.enabled: false\` (docs/rules.md).`;
  return {
    id: rule.id,
    name: pascal(rule.id),
    shortDescription: { text: `${rule.summary}.`.replace(/\.\.$/, '.') },
    fullDescription: { text: `${rule.summary} (${rule.reference}).` },
    help: { text: help, markdown: help },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ['http', 'rest', 'api'], precision: 'high', reference: rule.reference },
  };
}

function result(group: FindingGroup, ruleIndex: number | undefined, uri: string): Record<string, unknown> {
  const first = group.first;
  const where = first.line === undefined ? `entry ${first.entry}` : `line ${first.line}`;
  const times = group.count === 1 ? '' : ` (${group.count} times; first at ${where})`;
  return {
    ruleId: group.rule,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    level: LEVEL[group.severity],
    message: { text: `${first.method} ${first.path} answered ${first.status} on ${group.host || 'an unknown host'}: ${first.message}${times}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region: { startLine: first.line ?? 1 } },
        logicalLocations: [{ name: `${group.method} ${group.route}`, fullyQualifiedName: `${group.host}/${group.method} ${group.route}`, kind: 'function' }],
      },
    ],
    partialFingerprints: { 'restaudit/v1': group.fingerprint },
    baselineState: first.inBaseline ? 'unchanged' : 'new',
    occurrenceCount: group.count,
    properties: { entry: first.entry, requestId: first.requestId, method: group.method, route: group.route, host: group.host, status: first.status, evidence: first.evidence },
  };
}

/** The input as a path relative to the working directory (where code scanning checks out), `/` separated. */
function artifactUri(file: string): string {
  if (file === '-') return 'stdin';
  const rel = relative(process.cwd(), file);
  if (rel.startsWith('..') || isAbsolute(rel)) return pathToFileURL(file).href;
  return rel.split('\\').join('/').split('/').map(encodeURIComponent).join('/');
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
}
