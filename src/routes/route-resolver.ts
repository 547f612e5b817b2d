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

/** `/users/42/orders/9f1c...` → `/users/:id/orders/:id`. */
export function inferTemplate(path: string): string {
  const segments = path.split('/');
  let changed = false;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment !== '' && isIdSegment(segment)) {
      segments[i] = ':id';
      changed = true;
    }
  }
  return changed ? segments.join('/') : path;
}

/**
 * Maps request paths to route templates: configured templates first, then the spec's paths,
 * otherwise inference. Both sets of templates are compiled once into segment tries. Results
 * are cached per path (bounded), and labels are capped at `maxRoutes`.
 */
export class RouteResolver {
  private readonly templates = new RouteTrie<string>();
  private readonly labels = new Set<string>();
  private readonly cache: LRUCache<string, RouteMatch>;

  /**
   * @param templates configured templates (`/users/:id`)
   * @param maxRoutes distinct labels before `__other__`
   * @param onOverflow called for each path that gets `__other__` because the labels are full
   * @param specPaths the spec's path items by full template (under its servers path)
   */
  constructor(
    templates: readonly string[],
    private readonly maxRoutes: number,
    private readonly onOverflow: () => void = () => {},
    private readonly specPaths: RouteTrie<SpecPath> = new RouteTrie(),
    cacheSize = 10_000,
  ) {
    for (const template of templates) this.templates.insert(template, template);
    this.cache = new LRUCache({ max: cacheSize });
  }

  resolve(path: string): RouteMatch {
    const cached = this.cache.get(path);
    if (cached !== undefined) {
      if (cached.label === OTHER_ROUTE) this.onOverflow();
      return cached;
    }
    const spec = this.specPaths.match(path);
    const template = this.templates.match(path) ?? spec?.template ?? inferTemplate(path);
    const match = { template, label: this.labelFor(template), spec };
    this.cache.set(path, match);
    return match;
  }

  /** The number of distinct labels handed out (never above maxRoutes). */
  get labelCount(): number {
    return this.labels.size;
  }

  private labelFor(template: string): string {
    if (this.labels.has(template)) return template;
    if (this.labels.size < this.maxRoutes) {
      this.labels.add(template);
      return template;
    }
    this.onOverflow();
    return OTHER_ROUTE;
  }
}
