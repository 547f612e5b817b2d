import { createHash } from 'node:crypto';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** A tagged template whose interpolations are escaped; `raw()` marks trusted markup. */
export function html(strings: TemplateStringsArray, ...values: ReadonlyArray<string | number | Raw | readonly Raw[]>): Raw {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (Array.isArray(value)) out += (value as readonly Raw[]).map((part) => part.markup).join('');
    else if (value instanceof Raw) out += value.markup;
    else out += escapeHtml(typeof value === 'number' ? String(value) : (value as string));
    out += strings[i + 1] ?? '';
  });
  return new Raw(out);
}

/** Markup that is already safe (built by `html`, or constant). */
export class Raw {
  constructor(readonly markup: string) {}
}

export function raw(markup: string): Raw {
  return new Raw(markup);
}

/** The stylesheet every admin page shares: system fonts only, nothing fetched. */
export const STYLE = `
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5d6b82;--bg:#f6f7f9;--card:#fff;--line:#dde1e8;--error:#c62828;--warning:#b26a00;--info:#1565c0;--accent:#3949ab}
@media (prefers-color-scheme:dark){:root{--fg:#e4e7ec;--muted:#9aa5b8;--bg:#14171d;--card:#1c2029;--line:#2c3240;--error:#ef5350;--warning:#ffb74d;--info:#64b5f6;--accent:#8c9eff}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:1rem;align-items:baseline;padding:.8rem 1.2rem;border-bottom:1px solid var(--line);background:var(--card)}
header h1{font-size:1.1rem;margin:0}header nav a{margin-right:.8rem}main{padding:1rem 1.2rem;max-width:1200px}
a{color:var(--accent)}code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;overflow:auto;white-space:pre-wrap;word-break:break-word}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;margin-bottom:1rem}
.sev{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:12px;font-weight:600;color:#fff}
.sev-error{background:var(--error)}.sev-warning{background:var(--warning)}.sev-info{background:var(--info)}
.muted{color:var(--muted)}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
`;

/** The Content-Security-Policy of a page: nothing but its own inline style and script. */
export function contentSecurityPolicy(style: string, script?: string): string {
  const scriptSrc = script === undefined ? "'none'" : `'${sha256(script)}'`;
  return `default-src 'none'; style-src '${sha256(style)}'; script-src ${scriptSrc}; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/** A whole admin page around `body`. */
export function page(title: string, body: Raw): { readonly html: string; readonly csp: string } {
  const document = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${raw(STYLE)}</style></head>
<body><header><h1>restaudit</h1><nav><a href="/">live</a><a href="/rules">rules</a><a href="/runbooks">runbooks</a><a href="/metrics">metrics</a></nav></header>
<main>${body}</main></body></html>
`;
  return { html: document.markup, csp: contentSecurityPolicy(STYLE) };
}
