/** Targets longer than this have their path copied out of them. */
const DETACH_ABOVE = 512;

/**
 * A copy of `text` that shares nothing with it: V8 keeps the whole parent string alive
 * behind a slice of it, so whatever is kept for long is detached from a long original.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * The path as restaudit records it (logs, `/violations`, memory, route inference): without
 * the query string, without a fragment, and without `;` path parameters (`;jsessionid=...`
 * carries a session). The request itself reaches the upstream untouched.
 */
export function splitTarget(target: string): { readonly path: string; readonly query: string } {
  const hash = target.indexOf('#');
  const url = hash === -1 ? target : target.slice(0, hash);
  const q = url.indexOf('?');
  const raw = q === -1 ? url : url.slice(0, q);
  const path = recordedPath(raw);
  // Memory may keep the path for minutes: not as a slice that keeps a long URL alive.
  return { path: target.length > DETACH_ABOVE && path.length < target.length ? detached(path) : path, query: q === -1 ? '' : url.slice(q + 1) };
}

/** `/a;jsessionid=x/b;v=1` → `/a/b`; `/a#frag` → `/a`. A path without `;` or `#` is returned as it is. */
export function recordedPath(path: string): string {
  const hash = path.indexOf('#');
  const noFragment = hash === -1 ? path : path.slice(0, hash);
  return noFragment.includes(';') ? noFragment.replace(/;[^/]*/g, '') : noFragment;
}
