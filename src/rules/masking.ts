import { isSecretName } from './secret-names.js';

/** What a masked value reads as. */
export const MASK = '***';

/** The longest string a recorded finding carries; longer ones are cut (after masking). */
export const MAX_STRING_CHARS = 300;
/** How deep, how many members and how many items of evidence are kept. */
const MAX_DEPTH = 6;
const MAX_MEMBERS = 40;
const MAX_ITEMS = 20;

// Credentials by their form, wherever they appear.
const SCHEME_CREDENTIALS = /\b(Bearer|Basic|Digest|Token|Negotiate)(\s+)([A-Za-z0-9._~+/-]+=*)(?![A-Za-z0-9._~+/=-]|\s*")/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g;
// A member or parameter name: `"name"`, `'name'`, `\"name\"`, bare `name`, `\u`-escapes included,
// then `:` or `=`. The value's extent is found by scanning (quotes and brackets).
const NAME_THEN_VALUE = /(\\?["']?)((?:[A-Za-z0-9_.$-]|\\u[0-9A-Fa-f]{4})+)\1\s*[:=]\s*/g;
const U_ESCAPE = /\\u([0-9A-Fa-f]{4})/g;

/**
 * Masks the secrets in a piece of text (a body excerpt, a header value, a message):
 * `Bearer`/`Basic` credentials, JWTs, and the value of every member or parameter whose
 * name looks like a secret, whatever the quoting (JSON, single quotes, escaped quotes,
 * `\u`-escaped names, `name=value` in a query string, a fragment or `;` parameters) and
 * however deep it sits.
 */
export function maskText(text: string, extra?: ReadonlySet<string>): string {
  let masked = text.replace(JWT, MASK).replace(SCHEME_CREDENTIALS, (_all, scheme: string, space: string) => `${scheme}${space}${MASK}`);
  if (!masked.includes('=') && !masked.includes(':')) return masked;
  let out = '';
  let from = 0;
  NAME_THEN_VALUE.lastIndex = 0;
  for (let match = NAME_THEN_VALUE.exec(masked); match !== null; match = NAME_THEN_VALUE.exec(masked)) {
    const name = (match[2] as string).replace(U_ESCAPE, (_u, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const start = match.index + match[0].length;
    if (!isSecretName(name, extra)) continue;
    const end = valueEnd(masked, start);
    if (end === start) continue;
    const value = masked.slice(start, end);
    const quote = /^\\?["']/.exec(value)?.[0] ?? '';
    out += masked.slice(from, start) + (quote !== '' ? `${quote}${MASK}${value.endsWith(quote) && value.length > quote.length ? quote : ''}` : MASK);
    from = end;
    NAME_THEN_VALUE.lastIndex = end;
  }
  if (from === 0) return masked;
  masked = out + masked.slice(from);
  return masked;
}

/** Where the value starting at `start` ends: a quoted string, a bracketed structure, or a bare word. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === undefined) return start;
  if (first === '"' || first === "'" || (first === '\\' && (text[start + 1] === '"' || text[start + 1] === "'"))) {
    const escaped = first === '\\';
    const quote = escaped ? (text[start + 1] as string) : first;
    let i = start + (escaped ? 2 : 1);
    while (i < text.length) {
      const c = text[i];
      if (escaped ? c === '\\' && text[i + 1] === quote : c === quote) return i + (escaped ? 2 : 1);
      if (!escaped && c === '\\') i++;
      i++;
    }
    return text.length;
  }
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '{' || c === '[') depth++;
      else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
    }
    return text.length;
  }
  let i = start;
  while (i < text.length && !/[\s,;&#}\]"'<>]/.test(text[i] as string)) i++;
  return i;
}

/**
 * A parsed JSON value with the values of secret-named members masked at any depth. Beyond
 * the depth kept, what remains is summarised, never passed through unmasked.
 */
export function maskJson(value: unknown, extra?: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value, extra);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH * 2) return Array.isArray(value) ? ['…'] : { '…': '…' };
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => maskJson(item, extra, depth + 1));
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, member] of Object.entries(value)) {
    if (++count > MAX_MEMBERS) break;
    out[key] = isSecretName(key, extra) ? MASK : maskJson(member, extra, depth + 1);
  }
  return out;
}

/**
 * A finding's evidence as it may be recorded: secret-named members masked (a boolean such
 * as `credentialsPresent` stays), every string masked by form and cut to MAX_STRING_CHARS,
 * and depth, members and items bounded, so a recorded violation has a bounded size.
 */
export function maskEvidence(value: unknown, extra?: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value === 'string') return clip(maskText(value, extra), MAX_STRING_CHARS);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => maskEvidence(item, extra, depth + 1));
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (member === undefined) continue;
    if (++count > MAX_MEMBERS) break;
    out[clip(key, 100)] = typeof member !== 'boolean' && isSecretName(key, extra) ? MASK : maskEvidence(member, extra, depth + 1);
  }
  return out;
}

/** At most `max` characters, marked with `…` when cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
