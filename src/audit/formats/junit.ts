import type { AuditReport, FindingGroup } from '../report.js';
import type { RuleInfo } from './rule-info.js';

/**
 * JUnit XML: one test suite per rule, one test case per fingerprint (rule, method, route,
 * host). A new finding is a `<failure>`; one the baseline holds is `<skipped>`.
 */
export function toJunit(report: AuditReport, rules: ReadonlyMap<string, RuleInfo>, inputFile: string): string {
  const byRule = new Map<string, FindingGroup[]>();
  for (const group of report.groups.values()) {
    const list = byRule.get(group.rule) ?? [];
    list.push(group);
    byRule.set(group.rule, list);
  }
  const failures = [...report.groups.values()].filter((group) => !group.first.inBaseline).length;
  const skipped = report.groups.size - failures;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="restaudit" tests="${report.groups.size}" failures="${failures}" skipped="${skipped}" errors="0">`,
  ];
  for (const [rule, groups] of byRule) {
    const ruleFailures = groups.filter((group) => !group.first.inBaseline).length;
    out.push(`  <testsuite name="${xml(rule)}" tests="${groups.length}" failures="${ruleFailures}" skipped="${groups.length - ruleFailures}" errors="0">`);
    for (const group of groups) out.push(...testCase(group, rules.get(rule), inputFile));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function testCase(group: FindingGroup, rule: RuleInfo | undefined, inputFile: string): string[] {
  const first = group.first;
  const name = `${group.method} ${group.route}${group.host === '' ? '' : ` on ${group.host}`}`;
  const where = first.line === undefined ? `${inputFile} entry ${first.entry}` : `${inputFile}:${first.line}`;
  const lines = [`    <testcase classname="restaudit.${xml(group.rule)}" name="${xml(name)}" file="${xml(inputFile)}">`];
  if (first.inBaseline) {
    lines.push(`      <skipped message="${xml(`in the baseline (fingerprint ${group.fingerprint})`)}"/>`);
  } else {
    const body = [
      `${first.method} ${first.path} answered ${first.status}: ${first.message}`,
      `seen ${group.count} time${group.count === 1 ? '' : 's'}, first at ${where} (request ${first.requestId})`,
      `fingerprint ${group.fingerprint}`,
      ...(rule === undefined ? [] : [`rule: ${rule.summary} (${rule.reference})`]),
      `evidence: ${JSON.stringify(first.evidence)}`,
    ].join('\n');
    lines.push(`      <failure type="${group.severity}" message="${xml(first.message)}">${xml(body)}</failure>`);
  }
  lines.push('    </testcase>');
  return lines;
}

/** Text as XML content or attribute value; characters XML 1.0 cannot hold become U+FFFD. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
