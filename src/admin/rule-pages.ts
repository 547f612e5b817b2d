import type { CustomRuleConfig } from '../config/schema.js';
import type { RuleDefinition } from '../rules/types.js';
import { html, page, raw, type Raw } from './html.js';
import { RULE_DOCS } from './rule-docs.js';

/** A rendered page and its Content-Security-Policy. */
export interface Page {
  readonly html: string;
  readonly csp: string;
}

/**
 * `/rules` and `/rules/<id>`: every built-in rule and every custom rule of the running
 * configuration, rendered once at start-up (the rule set does not change while serving).
 */
export function renderRulePages(builtIn: readonly RuleDefinition[], custom: readonly CustomRuleConfig[]): { index: Page; pages: ReadonlyMap<string, Page> } {
  const pages = new Map<string, Page>();
  for (const rule of builtIn) pages.set(rule.id, builtInPage(rule));
  for (const rule of custom) pages.set(rule.id, customPage(rule));
  const rows = [
    ...builtIn.map((rule) => html`<tr><td><a href="/rules/${rule.id}">${rule.id}</a></td><td>${severityBadge(rule.severity)}</td><td>${rule.summary}${rule.enabledByDefault ? '' : ' (disabled by default)'}</td></tr>`),
    ...custom.map((rule) => html`<tr><td><a href="/rules/${rule.id}">${rule.id}</a></td><td>${severityBadge(rule.severity)}</td><td>custom rule from the configuration</td></tr>`),
  ];
  const index = page('restaudit rules', html`<h2>Rules</h2><div class="card"><table><thead><tr><th>rule</th><th>severity</th><th>fires when</th></tr></thead><tbody>${rows}</tbody></table></div>`);
  return { index, pages };
}

export function severityBadge(severity: string): Raw {
  return html`<span class="sev sev-${severity}">${severity}</span>`;
}

function builtInPage(rule: RuleDefinition): Page {
  const doc = RULE_DOCS[rule.id];
  const body = html`<h2>${rule.id} ${severityBadge(rule.severity)}</h2>
<div class="card"><h3>What it checks</h3><p>${rule.summary}.${rule.scope === 'memory' ? ' It compares with earlier exchanges remembered within memory.ttlSeconds (memory.maxEntries at most).' : ''}${rule.enabledByDefault ? '' : ' Disabled by default.'}</p>
<h3>Why</h3><p>${doc?.why ?? 'See the reference below.'}</p><p class="muted">Reference: ${referenceLinks(rule.reference)}</p></div>
${doc === undefined ? raw('') : html`<div class="card"><h3>A failing exchange</h3><pre>${doc.failing}</pre><h3>A passing exchange</h3><pre>${doc.passing}</pre></div>
<div class="card"><h3>How to fix</h3><p>${doc.fix}</p></div>`}
<div class="card"><h3>How to silence</h3><p>In the configuration file, then restart restaudit:</p>
<pre>rules:
  ${rule.id}:
    enabled: false             # off everywhere
    # ignoreRoutes: [/login]   # or: off on these routes only
    # severity: info           # or: keep it, but below the alerts</pre>
<p>Live findings of this rule: <a href="/#rule=${encodeURIComponent(rule.id)}">the live page, filtered</a>.</p></div>`;
  return page(`restaudit: ${rule.id}`, body);
}

function customPage(rule: CustomRuleConfig): Page {
  const body = html`<h2>${rule.id} ${severityBadge(rule.severity)}</h2>
<div class="card"><h3>What it checks</h3><p>A custom rule of this restaudit's configuration.</p>
<pre>when: ${JSON.stringify(rule.when)}
expect: ${JSON.stringify(rule.expect)}${rule.message === undefined ? '' : `\nmessage: ${JSON.stringify(rule.message)}`}</pre></div>
<div class="card"><h3>How to silence</h3><p>Remove it from <code>custom:</code> in the configuration file, or lower its <code>severity</code>.</p>
<p>Live findings of this rule: <a href="/#rule=${encodeURIComponent(rule.id)}">the live page, filtered</a>.</p></div>`;
  return page(`restaudit: ${rule.id}`, body);
}

/** `RFC 9110 §9.3.3, §15.3.2` with each RFC linked to its text. */
function referenceLinks(reference: string): Raw[] {
  const parts: Raw[] = [];
  let last = 0;
  for (const match of reference.matchAll(/RFC (\d{3,5})/g)) {
    parts.push(html`${reference.slice(last, match.index)}`);
    parts.push(html`<a href="https://www.rfc-editor.org/rfc/rfc${match[1] ?? ''}">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(html`${reference.slice(last)}`);
  return parts;
}
