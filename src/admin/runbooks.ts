import { html, page, type Raw } from './html.js';
import type { Page } from './rule-pages.js';

interface Runbook {
  readonly alert: string;
  readonly severity: 'critical' | 'warning';
  readonly means: Raw;
  readonly investigate: readonly Raw[];
  readonly silence: Raw;
}

/**
 * The runbook of every alert in dashboards/alerts.yaml. Each alert's runbook_url points at
 * `/runbooks/<AlertName>` on the admin port of the instance it is about, so the link works
 * wherever restaudit runs. docs/operations.md says the same.
 */
export const RUNBOOKS: readonly Runbook[] = [
  {
    alert: 'RestauditSemanticRegression',
    severity: 'critical',
    means: html`A rule of severity <code>error</code> fires on a route where it had not fired in the six hours before (the first violation counts: a series that appears at 1 is seen). Usually a deploy changed what the route answers: a POST that now answers 201 without <code>Location</code>, an endpoint that now answers 500 to bad input, a protected route that now serves anonymous callers.`,
    investigate: [
      html`The alert names <code>rule</code> and <code>route</code>. Open <a href="/">the live page</a> and filter by both: each finding shows its message, its evidence and its request id.`,
      html`The request id was passed to the backend as <code>X-Request-Id</code>: the backend's own logs find the exchange.`,
      html`<a href="/rules">The rule's page</a> explains what it checks, with a failing and a passing exchange.`,
      html`Compare with the backend's deploy history for that route.`,
    ],
    silence: html`Fix the backend; or, if the behaviour is intended, turn the rule off for that route (<code>rules.&lt;rule&gt;.ignoreRoutes: [&lt;route&gt;]</code>) or lower its severity, and restart restaudit. The alert stays quiet for restaudit's first 30 minutes after a start (no history yet).`,
  },
  {
    alert: 'RestauditViolationRatioHigh',
    severity: 'warning',
    means: html`One rule (error or warning) has fired on more than 5 % of a route's exchanges for 15 minutes, on a route with traffic. Not necessarily new: a chronic problem worth a ticket. Info findings never count.`,
    investigate: [
      html`The alert names <code>rule</code> and <code>route</code>: <a href="/">the live page</a>, filtered by both, shows the evidence.`,
      html`The dashboard's "Violation ratio per route" and "Violations by rule" panels show how long it has lasted and which methods.`,
    ],
    silence: html`Fix the route, or tune the rule (<code>ignoreRoutes</code>, <code>severity</code>, <code>enabled: false</code>). The threshold is in <code>dashboards/alerts.yaml</code>.`,
  },
  {
    alert: 'RestauditProxyErrors',
    severity: 'critical',
    means: html`More than 1 % of exchanges could not be proxied for 5 minutes: clients got 502 (refused, reset, DNS, TLS, a malformed response) or 504 (no response headers within <code>upstream.timeoutMs</code>), or a response was cut off.`,
    investigate: [
      html`<code>restaudit_proxy_errors_total</code> by <code>reason</code> (<a href="/metrics">/metrics</a>, or the dashboard panel "Proxy errors by reason").`,
      html`The <code>proxy error</code> log lines carry <code>reason</code>, <code>requestId</code>, <code>method</code> and <code>path</code>.`,
      html`<code>connect_refused</code>/<code>dns</code>: is the backend up, is <code>RESTAUDIT_TARGET</code> right? <code>timeout</code>: is the backend slow, or <code>upstream.timeoutMs</code> too short? <code>tls</code>: the backend's certificate (<code>upstream.insecureTls</code>). <code>reset</code>: the backend closes connections.`,
    ],
    silence: html`Fix the upstream; these are never counted as violations of the backend.`,
  },
  {
    alert: 'RestauditDown',
    severity: 'critical',
    means: html`Prometheus cannot scrape a restaudit admin port for 2 minutes, or has no restaudit target at all (it vanished from service discovery). Traffic through that instance is not audited, and clients going through it may not be served. (The instance that is down cannot serve this page: any restaudit serves the same one.)`,
    investigate: [
      html`<code>docker ps</code> / <code>docker logs restaudit</code>: a start-up error exits with status 2 and one line per problem.`,
      html`<code>/healthz</code> on the admin port; is the admin port published, and <code>RESTAUDIT_ADMIN_LISTEN</code> set to <code>0.0.0.0:9464</code>?`,
      html`With <code>RESTAUDIT_ADMIN_TOKEN</code> set, Prometheus needs the token (<code>authorization: {credentials: …}</code> in its scrape config), or every scrape fails with 401.`,
      html`No target at all: check the scrape job and service discovery.`,
    ],
    silence: html`Restart it, or remove the target from Prometheus if it was retired.`,
  },
];

export function renderRunbookPages(): { index: Page; pages: ReadonlyMap<string, Page> } {
  const pages = new Map<string, Page>();
  for (const runbook of RUNBOOKS) {
    const steps = runbook.investigate.map((step) => html`<li>${step}</li>`);
    pages.set(
      runbook.alert,
      page(
        `restaudit runbook: ${runbook.alert}`,
        html`<h2>${runbook.alert} <span class="muted">(${runbook.severity})</span></h2>
<div class="card"><h3>What it means</h3><p>${runbook.means}</p></div>
<div class="card"><h3>How to investigate</h3><ol>${steps}</ol></div>
<div class="card"><h3>How to silence it</h3><p>${runbook.silence}</p></div>`,
      ),
    );
  }
  const rows = RUNBOOKS.map((runbook) => html`<tr><td><a href="/runbooks/${runbook.alert}">${runbook.alert}</a></td><td>${runbook.severity}</td></tr>`);
  const index = page('restaudit runbooks', html`<h2>Runbooks</h2><div class="card"><table><thead><tr><th>alert</th><th>severity</th></tr></thead><tbody>${rows}</tbody></table></div>`);
  return { index, pages };
}
