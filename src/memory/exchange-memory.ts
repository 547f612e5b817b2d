import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Exchange } from '../capture/exchange.js';
import { detached } from '../capture/recorded-path.js';
import type { JsonType } from '../capture/json-check.js';

/** An earlier exchange a cross-exchange finding relies on: what its evidence names. */
export interface Remembered {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Clock milliseconds when it was recorded, whole (a small integer needs no heap box). */
  readonly at: number;
}

/** What is remembered about one exact path. */
export interface PathFacts {
  /** The latest GET/HEAD 2xx to a request with credentials (cleared by a 2xx DELETE). */
  authenticatedRead?: Remembered;
  /** The latest 201 whose Location named this path (cleared by a DELETE of it). */
  created?: Remembered;
  /** The latest 200/204 DELETE of this path (cleared by a re-creation). */
  deleted?: Remembered;
}

/** What is remembered about one method (GET and HEAD as one) and route. */
export interface RouteFacts {
  /** The latest 401/403 to a request without credentials. */
  anonymousDenied?: Remembered;
  /** Top-level JSON types of request bodies answered 2xx, with how many exchanges taught each. */
  bodyTypes?: Map<JsonType, number>;
}

export type { JsonType };

/** What the rules may read. They never write. */
export interface MemoryReader {
  /** Facts about a path still within the window, or undefined. */
  path(path: string): Readonly<PathFacts> | undefined;
  /** Facts about a method and route (GET and HEAD share them). */
  route(method: string, route: string): Readonly<RouteFacts> | undefined;
  /** Seconds since a remembered exchange. */
  ageSeconds(remembered: Remembered): number;
  /** True when a remembered exchange is still within the window. */
  fresh(remembered: Remembered | undefined): remembered is Remembered;
}

/** The parts of an exchange memory learns from: plain data, so a cluster worker can pass it on. */
export type Observed = Pick<Exchange, 'id' | 'method' | 'path' | 'route' | 'status' | 'hasCredentials'>;

/**
 * One exchange's lesson as cluster workers share it: what changes a finding on another
 * worker (a denial, a DELETE, a re-creation, a creation, a body type not seen before).
 */
export interface Lesson {
  readonly exchange: Observed;
  readonly location?: string;
  readonly bodyType?: JsonType;
}

export interface MemoryOptions {
  readonly maxEntries: number;
  readonly ttlSeconds: number;
  /** Milliseconds; `performance.now` by default. Tests hand in their own. */
  readonly now?: () => number;
}

/**
 * restaudit's one cross-exchange memory: a bounded LRU (max entries and a TTL) over exact
 * paths and over method+route. The proxy records each exchange into it after the rules
 * have read it; nothing else writes.
 */
export class ExchangeMemory implements MemoryReader {
  private readonly cache: LRUCache<string, PathFacts | RouteFacts>;
  private readonly ttlMs: number;
  readonly now: () => number;

  constructor(options: MemoryOptions) {
    this.now = options.now ?? (() => performance.now());
    this.ttlMs = options.ttlSeconds * 1000;
    const now = this.now;
    this.cache = new LRUCache({ max: options.maxEntries, ttl: this.ttlMs, perf: { now }, ttlResolution: 0, updateAgeOnGet: false });
  }

  /** Entries held (within the bound). */
  get size(): number {
    return this.cache.size;
  }

  path(path: string): Readonly<PathFacts> | undefined {
    return this.cache.get(pathKey(path)) as PathFacts | undefined;
  }

  route(method: string, route: string): Readonly<RouteFacts> | undefined {
    return this.cache.get(routeKey(method, route)) as RouteFacts | undefined;
  }

  ageSeconds(remembered: Remembered): number {
    return Math.round((this.now() - remembered.at) / 100) / 10;
  }

  fresh(remembered: Remembered | undefined): remembered is Remembered {
    return remembered !== undefined && this.now() - remembered.at <= this.ttlMs;
  }

  /**
   * Learns from one exchange (after the rules have judged it).
   * @param location the path a 201's Location resolves to on this origin, if any
   * @param bodyType the top-level JSON type of the request body, if it was JSON
   * @returns whether the lesson matters beyond this process: true for everything except
   *   authenticated reads and body types already known (the bulk of traffic)
   */
  record(exchange: Observed, location: string | undefined, bodyType: JsonType | undefined): boolean {
    const { method, status } = exchange;
    const path = pathKey(exchange.path);
    const ok = status >= 200 && status < 300;
    const me = (): Remembered => ({ requestId: exchange.id, method, path, status, at: Math.round(this.now()) });
    let news = false;

    if ((method === 'GET' || method === 'HEAD') && ok && exchange.hasCredentials) {
      this.updatePath(path, (facts) => (facts.authenticatedRead = me()));
    }
    if ((status === 401 || status === 403) && !exchange.hasCredentials) {
      this.updateRoute(method, exchange.route, (facts) => (facts.anonymousDenied = me()));
      news = true;
    }
    if (method === 'DELETE') {
      this.updateExisting(path, (facts) => {
        facts.created = undefined;
        if (ok) facts.authenticatedRead = undefined;
      });
      if (status === 200 || status === 204) this.updatePath(path, (facts) => (facts.deleted = me()));
      news = true;
    }
    if (method === 'PUT' && ok) {
      this.updateExisting(path, (facts) => (facts.deleted = undefined));
      news = true;
    }
    if (status === 201 && location !== undefined) {
      this.updatePath(pathKey(location), (facts) => {
        facts.created = me();
        facts.deleted = undefined;
      });
      news = true;
    }
    if (ok && bodyType !== undefined) {
      this.updateRoute(method, exchange.route, (facts) => {
        facts.bodyTypes ??= new Map();
        const taught = facts.bodyTypes.get(bodyType) ?? 0;
        if (taught === 0) news = true;
        facts.bodyTypes.set(bodyType, taught + 1);
      });
    }
    return news;
  }

  private updatePath(path: string, change: (facts: PathFacts) => void): void {
    const facts = (this.cache.get(path) as PathFacts | undefined) ?? {};
    change(facts);
    this.cache.set(path, facts);
  }

  private updateExisting(path: string, change: (facts: PathFacts) => void): void {
    const facts = this.cache.get(path) as PathFacts | undefined;
    if (facts !== undefined) change(facts);
  }

  private updateRoute(method: string, route: string, change: (facts: RouteFacts) => void): void {
    const key = routeKey(method, route);
    const facts = (this.cache.get(key) as RouteFacts | undefined) ?? {};
    change(facts);
    this.cache.set(key, facts);
  }
}

/** Paths longer than this are remembered by a prefix and a digest of the whole. */
export const MAX_PATH_KEY_CHARS = 256;

/**
 * The key (and the remembered path) of a path: itself, or for a long one its first
 * characters and a digest of the whole, so an entry costs a bounded number of bytes
 * however long a hostile client makes its paths, and distinct paths stay distinct.
 */
export function pathKey(path: string): string {
  if (path.length <= MAX_PATH_KEY_CHARS) return path;
  const digest = createHash('sha256').update(path).digest('base64url').slice(0, 22);
  return detached(`${path.slice(0, MAX_PATH_KEY_CHARS - 25)}...${digest}`);
}

/**
 * GET and HEAD are one method for what a route protects. Path facts are keyed by the path
 * itself (the string the exchange and its Remembered already hold, so a remembered path
 * costs no second copy); a route key contains spaces, which no request path can.
 */
function routeKey(method: string, route: string): string {
  return `r ${method === 'HEAD' ? 'GET' : method} ${route}`;
}

/** The top-level JSON type of a parsed value. */
export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'object' | 'string' | 'number' | 'boolean';
}
