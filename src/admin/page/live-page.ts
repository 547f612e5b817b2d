import { contentSecurityPolicy, STYLE } from '../html.js';
import type { Page } from '../rule-pages.js';
import { liveScript } from './live-script.js';

const LIVE_STYLE = `${STYLE}
.summary{display:flex;gap:1rem;flex-wrap:wrap;align-items:baseline;margin-bottom:1rem}
.summary .big{font-size:1.6rem;font-weight:650}#status{font-weight:600}.live{color:#2e7d32}.down{color:var(--error)}
.grid{display:grid;grid-template-columns:2fr 1fr 2fr;gap:1rem}@media (max-width:900px){.grid{grid-template-columns:1fr}}
.grid h3,.card h3{margin:.1rem 0 .5rem;font-size:.95rem}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.pick,tr.selected{cursor:pointer}tr.pick:hover{background:var(--bg)}tr.selected{background:var(--bg);outline:2px solid var(--accent)}
.filters{display:flex;gap:.6rem;flex-wrap:wrap;align-items:center;margin:.2rem 0 .8rem}
.filters select,.filters input{font:inherit;padding:.25rem .4rem;border:1px solid var(--line);border-radius:5px;background:var(--card);color:var(--fg)}
.filters input{min-width:16rem}
.violation{border-left:4px solid var(--line);padding:.4rem .7rem;margin:.5rem 0;background:var(--bg);border-radius:0 6px 6px 0}
.sev-border-error{border-left-color:var(--error)}.sev-border-warning{border-left-color:var(--warning)}.sev-border-info{border-left-color:var(--info)}
.violation .head{display:flex;gap:.7rem;flex-wrap:wrap;align-items:baseline}.violation .message{margin:.25rem 0}
.violation pre{margin:.25rem 0;max-height:14rem}.small{font-size:11.5px}
`;

const SCRIPT = `(${liveScript.toString()})();`;

const BODY = `<div class="summary"><span class="big" id="total">0</span><span>violations since start:</span>
<span class="sev sev-error" title="error">error <b id="n-error">0</b></span><span class="sev sev-warning" title="warning">warning <b id="n-warning">0</b></span><span class="sev sev-info" title="info">info <b id="n-info">0</b></span>
<span class="muted">updates:</span><span id="status" class="down">connecting…</span></div>
<div class="grid">
<div class="card"><h3>By rule</h3><table><tbody id="by-rule"></tbody></table></div>
<div class="card"><h3>By severity</h3><table><tbody id="by-severity"></tbody></table></div>
<div class="card"><h3>By route</h3><table><tbody id="by-route"></tbody></table></div>
</div>
<div class="card"><h3>Recent violations</h3>
<div class="filters">
<label>rule <select id="f-rule" aria-label="rule"><option value="">every rule</option></select></label>
<label>severity <select id="f-severity" aria-label="severity"><option value="">every severity</option><option value="error">error</option><option value="warning">warning</option><option value="info">info</option></select></label>
<label>route <select id="f-route" aria-label="route"><option value="">every route</option></select></label>
<label>text <input id="f-text" type="search" placeholder="message, path, evidence…" aria-label="text"></label>
<span class="muted" id="shown"></span></div>
<div id="list"></div></div>`;

/**
 * `GET /`: the live page. One self-contained document (inline style and script, system
 * fonts, nothing fetched but this port's own /metrics, /violations and /events), built once.
 */
export function renderLivePage(): Page {
  const document = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>restaudit: live violations</title><style>${LIVE_STYLE}</style></head>
<body><header><h1>restaudit</h1><nav><a href="/">live</a><a href="/rules">rules</a><a href="/runbooks">runbooks</a><a href="/metrics">metrics</a></nav></header>
<main>${BODY}</main><script>${SCRIPT}</script></body></html>
`;
  return { html: document, csp: contentSecurityPolicy(LIVE_STYLE, SCRIPT) };
}
