/**
 * Route templates compiled once into a tree of path segments, so that matching a path
 * costs one step per segment whatever the number of templates. Templates take parameters
 * in either spelling: `/users/:id` (configured routes) or `/users/{id}` (OpenAPI); a
 * segment may also mix text and parameters (`/files/{name}.{ext}`). A parameter matches one
 * non-empty segment.
 *
 * Where several templates match, the most literal wins, segment by segment from the left
 * (`/users/me` before `/users/{id}`), as OpenAPI prescribes for concrete and templated paths.
 */

interface PatternChild<T> {
  readonly pattern: RegExp;
  readonly node: TrieNode<T>;
}

interface TrieNode<T> {
  literal: Map<string, TrieNode<T>> | undefined;
  patterns: PatternChild<T>[] | undefined;
  /** The child for a whole-segment parameter (`:id`, `{id}`). */
  param: TrieNode<T> | undefined;
  /** The value of the template that ends here, the first one inserted. */
  value: T | undefined;
  ends: boolean;
}

const WHOLE_PARAM = /^(?::[^/]+|\{[^{}/]+\})$/;
const EMBEDDED_PARAM = /\{[^{}/]+\}/g;

function node<T>(): TrieNode<T> {
  return { literal: undefined, patterns: undefined, param: undefined, value: undefined, ends: false };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `{name}.{ext}` → /^(.+?)\.(.+?)$/: each parameter one or more characters. */
function segmentPattern(segment: string): RegExp {
  let source = '';
  let last = 0;
  for (const match of segment.matchAll(EMBEDDED_PARAM)) {
    source += `${escapeRegExp(segment.slice(last, match.index))}.+?`;
    last = match.index + match[0].length;
  }
  return new RegExp(`^${source}${escapeRegExp(segment.slice(last))}$`);
}

/** True for a segment that names a parameter, whole or in part. */
export function isParamSegment(segment: string): boolean {
  return WHOLE_PARAM.test(segment) || segment.includes('{');
}

/** A set of route templates, each with a value, matched against request paths. */
export class RouteTrie<T> {
  private readonly root: TrieNode<T> = node();
  private count = 0;

  /** Adds a template; a template already present keeps its first value. */
  insert(template: string, value: T): void {
    let current = this.root;
    for (const segment of template.split('/').slice(1)) {
      if (WHOLE_PARAM.test(segment)) current = current.param ??= node();
      else if (segment.includes('{')) {
        const source = segmentPattern(segment).source;
        current.patterns ??= [];
        let child = current.patterns.find((p) => p.pattern.source === source);
        if (child === undefined) {
          child = { pattern: new RegExp(source), node: node() };
          current.patterns.push(child);
        }
        current = child.node;
      } else {
        current.literal ??= new Map();
        let child = current.literal.get(segment);
        if (child === undefined) {
          child = node();
          current.literal.set(segment, child);
        }
        current = child;
      }
    }
    if (current.ends) return;
    current.ends = true;
    current.value = value;
    this.count++;
  }

  /** The number of distinct templates. */
  get size(): number {
    return this.count;
  }

  /** The value of the best template matching `path` (no query string), or undefined. */
  match(path: string): T | undefined {
    if (this.count === 0 || path.charCodeAt(0) !== 47 /* / */) return undefined;
    const segments = path.split('/');
    return find(this.root, segments, 1);
  }
}

function find<T>(current: TrieNode<T>, segments: readonly string[], index: number): T | undefined {
  if (index === segments.length) return current.ends ? current.value : undefined;
  const segment = segments[index] as string;
  const literal = current.literal?.get(segment);
  if (literal !== undefined) {
    const found = find(literal, segments, index + 1);
    if (found !== undefined) return found;
  }
  if (segment === '') return undefined;
  if (current.patterns !== undefined) {
    for (const { pattern, node: child } of current.patterns) {
      if (!pattern.test(segment)) continue;
      const found = find(child, segments, index + 1);
      if (found !== undefined) return found;
    }
  }
  return current.param === undefined ? undefined : find(current.param, segments, index + 1);
}

/** A trie of one template: does `path` fall under `template`? */
export function templateMatcher(template: string): (path: string) => boolean {
  const trie = new RouteTrie<true>();
  trie.insert(template, true);
  return (path) => trie.match(path) === true;
}
