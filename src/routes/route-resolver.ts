import { LRUCache } from 'lru-cache';
import type { SpecPath } from '../spec/types.js';
import { RouteTrie } from './route-trie.js';

/** Where a path belongs: its template, and the bounded label metrics may use for it. */
export interface RouteMatch {
  /**
   * Configured template, else the spec's, else inferred (`/users/:id`). What the stateful
   * rules learn on.
   */
  readonly template: string;
  /** `template`, or `__other__` once `maxRoutes` distinct labels exist. */
  readonly label: string;
  /** The spec's path item the path falls under (with a spec), whatever template won. */
  readonly spec: SpecPath | undefined;
}

export const OTHER_ROUTE = '__other__';

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const LONG_HEX = /^[0-9a-f]{16,}$/i;
const DIGIT = /\d/;
const TOKEN = /^[\w.~%+=:@-]+$/;

/**
 * True for a path segment that names one resource rather than a collection or an action:
 * numbers, UUIDs, long hex (ObjectIds), and long opaque tokens with digits in them.
 */
export function isIdSegment(segment: string): boolean {
  if (NUMERIC.test(segment) || UUID.test(segment) || LONG_HEX.test(segment)) return true;
  return segment.length >= 10 && DIGIT.test(segment) && TOKEN.test(segment);
}

/** A segment longer than this is opaque (a token, an attack): it becomes `:id`. */
export const MAX_SEGMENT_CHARS = 64;
/** The longest route label (contract: no label value is longer than 200 characters). */
export const MAX_LABEL_CHARS = 200;
/** What replaces the segments of a template beyond MAX_LABEL_CHARS. */
export const CUT_SEGMENTS = '...';

/**
 * `/users/42/orders/9f1c...` → `/users/:id/orders/:id`. Segments longer than
 * MAX_SEGMENT_CHARS become `:id` too, and a template never exceeds MAX_LABEL_CHARS: the
 * segments beyond it become one `/...`. So a client cannot mint a new, long label per request.
 */
export function inferTemplate(path: string): string {
  const segments = path.split('/');
  let changed = false;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment !== '' && (segment.length > MAX_SEGMENT_CHARS || isIdSegment(segment))) {
      segments[i] = ':id';
      changed = true;
    }
  }
  const template = changed ? segments.join('/') : path;
  return template.length > MAX_LABEL_CHARS ? cutTemplate(segments) : template;
}

/** The leading segments that fit in MAX_LABEL_CHARS, then `/...` (joined: a new string, not slices of the path). */
function cutTemplate(segments: readonly string[]): string {
  const kept = [''];
  let length = 0;
  const room = MAX_LABEL_CHARS - CUT_SEGMENTS.length - 1;
  for (let i = 1; i < segments.length; i++) {
    length += 1 + (segments[i] as string).length;
    if (length > room) break;
    kept.push(segments[i] as string);
  }
  kept.push(CUT_SEGMENTS);
  return kept.join('/');
}

/** Paths longer than this are resolved each time rather than cached (the cache is bounded in bytes). */
const MAX_CACHED_PATH = 512;

/**
 * Maps request paths to route templates: configured templates first, then the spec's paths,
 * otherwise inference; both sets compiled once into segment tries (route-trie.ts). Templates are cached per path (bounded in count and in bytes).
 *
 * Labels are capped at `maxRoutes`, and a flood of one-off paths cannot take them all: the
 * first half go to templates as they come; the second half only to templates seen at least
 * twice (a scanner's paths are seen once, a real route again and again). Configured
 * templates and the spec's are always labels of their own (the config and the document bound them).
 */
export class RouteResolver {
  private readonly templates = new RouteTrie<string>();
  private readonly configured: ReadonlySet<string>;
  private readonly labels = new Set<string>();
  private readonly cache: LRUCache<string, RouteMatch>;
  /** Templates seen once while the open half of the labels is taken: candidates for the rest. */
  private readonly candidates: LRUCache<string, true>;
  private readonly open: number;

  /**
   * @param templates configured templates (`/users/:id`)
   * @param maxRoutes distinct labels before `__other__`
   * @param onOverflow called for each path that gets `__other__`
   * @param specPaths the spec's path items by full template (under its servers path)
   */
  constructor(
    templates: readonly string[],
    private readonly maxRoutes: number,
    private readonly onOverflow: () => void = () => {},
    private readonly specPaths: RouteTrie<SpecPath> = new RouteTrie(),
    specTemplates: readonly string[] = [],
    cacheSize = 10_000,
  ) {
    for (const template of templates) this.templates.insert(template, template);
    this.configured = new Set([...templates, ...specTemplates]);
    this.cache = new LRUCache({ max: cacheSize });
    this.open = Math.ceil(maxRoutes / 2);
    this.candidates = new LRUCache({ max: Math.max(1000, Math.min(maxRoutes * 4, 100_000)) });
  }

  resolve(path: string): RouteMatch {
    const cached = this.cache.get(path);
    if (cached !== undefined && cached.label !== OTHER_ROUTE) return cached;
    // Not cached, or `__other__` so far: a second sighting may earn the template its label.
    const spec = cached === undefined ? this.specPaths.match(path) : cached.spec;
    const template = cached?.template ?? this.templates.match(path) ?? spec?.template ?? inferTemplate(path);
    const match = { template, label: this.labelFor(template), spec };
    if (path.length <= MAX_CACHED_PATH) this.cache.set(path, match);
    return match;
  }

  /** The number of distinct inferred labels handed out (never above maxRoutes). */
  get labelCount(): number {
    return this.labels.size;
  }

  private labelFor(template: string): string {
    if (this.labels.has(template)) return template;
    if (this.configured.has(template)) return template.length > MAX_LABEL_CHARS ? template.slice(0, MAX_LABEL_CHARS) : template;
    const size = this.labels.size;
    if (size < this.open || (size < this.maxRoutes && this.candidates.has(template))) {
      this.labels.add(template);
      this.candidates.delete(template);
      return template;
    }
    if (size < this.maxRoutes) this.candidates.set(template, true);
    this.onOverflow();
    return OTHER_ROUTE;
  }
}
