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

/** What is remembered about one exact path (of one host). */
export interface PathFacts {
  /** The latest GET/HEAD 2xx to a request with credentials (cleared by a 2xx DELETE). */
  authenticatedRead?: Remembered;
  /** The latest GET 2xx, with or without credentials (cleared by a 2xx DELETE). */
  served?: Remembered;
  /** The latest 201 whose Location named this path (cleared by a DELETE of it). */
  created?: Remembered;
  /** The latest 200/204 DELETE of this path (cleared by a re-creation). */
  deleted?: Remembered;
  /**
   * The latest sign that nothing is at this path: a GET answered 404 or a 200/204 DELETE
   * (cleared by a GET/HEAD 2xx, a 2xx PUT, or a 201 naming the path).
   */
  absent?: Remembered & { readonly hasCredentials: boolean };
}

/** What is remembered about one method (GET and HEAD as one) and route. */
export interface RouteFacts {
  /** The latest 401/403 to a request without credentials. */
  anonymousDenied?: Remembered;
  /** Top-level JSON types of request bodies answered 2xx, with how many exchanges taught each. */
  bodyTypes?: Map<JsonType, number>;
}

/** Methods (HEAD apart from GET) that answered 2xx on one route: the latest exchange of each. */
export type WorkingMethods = ReadonlyMap<string, Remembered>;

export type { JsonType };

/** What the rules may read. They never write. Paths and routes are remembered per host. */
export interface MemoryReader {
  /** Facts about a path of a host still within the window, or undefined. */
  path(host: string, path: string): Readonly<PathFacts> | undefined;
  /** Facts about a method and route of a host (GET and HEAD share them). */
  route(host: string, method: string, route: string): Readonly<RouteFacts> | undefined;
  /** The methods that answered 2xx on a route of a host. */
  methods(host: string, route: string): WorkingMethods | undefined;
  /** Seconds since a remembered exchange. */
  ageSeconds(remembered: Remembered): number;
  /** True when a remembered exchange is still within the window. */
  fresh(remembered: Remembered | undefined): remembered is Remembered;
}

/** The parts of an exchange memory learns from: plain data, so a cluster worker can pass it on. */
export type Observed = Pick<Exchange, 'id' | 'method' | 'host' | 'path' | 'route' | 'status' | 'hasCredentials'>;

/**
 * One exchange's lesson as cluster workers share it: what changes a finding on another
 * worker. The head's part (status, Location) is known once the response head arrived; the
 * request body's JSON type once the request is complete (usually by then too).
 */
export interface Lesson {
  readonly exchange: Observed;
  /** True when the lesson carries what the response head tells. */
  readonly head: boolean;
  readonly location?: string;
  readonly bodyType?: JsonType;
}

export interface MemoryOptions {
  readonly maxEntries: number;
  readonly ttlSeconds: number;
  /** Milliseconds; `performance.now` by default. Tests hand in their own. */
  readonly now?: () => number;
}

/** How many distinct methods one route remembers as working (methods are tokens a client picks). */
const MAX_METHODS_PER_ROUTE = 16;

/**
 * restaudit's one cross-exchange memory: a bounded LRU (max entries and a TTL) over exact
 * paths, over method+route and over the working methods of a route, each per host. The
 * auditor writes into it; the rules only read.
 */
export class ExchangeMemory implements MemoryReader {
  private readonly cache: LRUCache<string, PathFacts | RouteFacts | Map<string, Remembered>>;
  private readonly ttlMs: number;
  /** How old a remembered read may be before a repeat of it is news again. */
  private readonly refreshMs: number;
  readonly now: () => number;
  /** The host whose paths are keyed by themselves: the first one seen. */
  private firstHost: string | undefined;

  constructor(options: MemoryOptions) {
    this.now = options.now ?? (() => performance.now());
    this.ttlMs = options.ttlSeconds * 1000;
    this.refreshMs = Math.min(60_000, this.ttlMs / 10);
    const now = this.now;
    this.cache = new LRUCache({ max: options.maxEntries, ttl: this.ttlMs, perf: { now }, ttlResolution: 0, updateAgeOnGet: false });
  }

  /** Entries held (within the bound). */
  get size(): number {
    return this.cache.size;
  }

  path(host: string, path: string): Readonly<PathFacts> | undefined {
    return this.cache.get(this.pathKey(host, path)) as PathFacts | undefined;
  }

  route(host: string, method: string, route: string): Readonly<RouteFacts> | undefined {
    return this.cache.get(routeKey(host, method, route)) as RouteFacts | undefined;
  }

  methods(host: string, route: string): WorkingMethods | undefined {
    return this.cache.get(methodsKey(host, route)) as Map<string, Remembered> | undefined;
  }

  ageSeconds(remembered: Remembered): number {
    return Math.round((this.now() - remembered.at) / 100) / 10;
  }

  fresh(remembered: Remembered | undefined): remembered is Remembered {
    return remembered !== undefined && this.now() - remembered.at <= this.ttlMs;
  }

  /** Learns a lesson another process shared. */
  learn(lesson: Lesson): void {
    if (lesson.head) this.recordHead(lesson.exchange, lesson.location);
    if (lesson.bodyType !== undefined) this.recordBodyType(lesson.exchange, lesson.bodyType);
  }

  /**
   * Learns from one exchange whole: its head, then its request body's type. What recorded
   * traffic does; the live proxy learns the two at their own moments.
   */
  record(exchange: Observed, location: string | undefined, bodyType: JsonType | undefined): boolean {
    const head = this.recordHead(exchange, location);
    const body = bodyType !== undefined && this.recordBodyType(exchange, bodyType);
    return head || body;
  }

  /**
   * Learns what an exchange's response head tells: its status and Location (with the
   * request's method, path and credentials). Known before the response body has gone.
   * @param location the path a 201's Location resolves to on this origin, if any
   * @returns whether the lesson matters beyond this process: false for the bulk of traffic
   *   (reads, and methods already known to work on a route)
   */
  recordHead(exchange: Observed, location: string | undefined): boolean {
    const { method, status, host } = exchange;
    // Remembered bounded: a hostile path costs an entry no more than a short one.
    const path = bounded(exchange.path);
    const ok = status >= 200 && status < 300;
    // One record per exchange, shared by every fact it sets (they are read, never changed).
    let mine: Remembered | undefined;
    const me = (): Remembered => (mine ??= { requestId: exchange.id, method, path, status, at: Math.round(this.now()) });
    let news = false;

    if ((method === 'GET' || method === 'HEAD') && ok) {
      this.updatePath(host, path, (facts) => {
        // A read repeats what is known: passed on only when new, or once per refresh interval.
        if (exchange.hasCredentials) {
          if (this.stale(facts.authenticatedRead)) news = true;
          facts.authenticatedRead = me();
        }
        if (method === 'GET') {
          if (this.stale(facts.served)) news = true;
          facts.served = me();
        }
        if (facts.absent !== undefined) {
          facts.absent = undefined;
          news = true;
        }
      });
    }
    if (method === 'GET' && status === 404) {
      this.updatePath(host, path, (facts) => (facts.absent = { ...me(), hasCredentials: exchange.hasCredentials }));
      news = true;
    }
    if ((status === 401 || status === 403) && !exchange.hasCredentials) {
      this.updateRoute(host, method, exchange.route, (facts) => (facts.anonymousDenied = me()));
      news = true;
    }
    if (method === 'DELETE') {
      this.updateExisting(host, path, (facts) => {
        facts.created = undefined;
        if (ok) {
          facts.authenticatedRead = undefined;
          facts.served = undefined;
        }
      });
      if (status === 200 || status === 204) {
        this.updatePath(host, path, (facts) => {
          facts.deleted = me();
          facts.absent = { ...me(), hasCredentials: exchange.hasCredentials };
        });
      }
      news = true;
    }
    if (method === 'PUT' && ok) {
      this.updateExisting(host, path, (facts) => {
        facts.deleted = undefined;
        facts.absent = undefined;
      });
      news = true;
    }
    if (status === 201 && location !== undefined) {
      this.updatePath(host, location, (facts) => {
        facts.created = me();
        facts.deleted = undefined;
        facts.absent = undefined;
      });
      news = true;
    }
    if (ok && this.learnWorking(host, exchange.route, method, me)) news = true;
    return news;
  }

  /**
   * Learns the top-level JSON type of a request body answered 2xx: what a route accepts.
   * @returns true when the type is new on this route (other processes need it)
   */
  recordBodyType(exchange: Observed, bodyType: JsonType): boolean {
    if (exchange.status < 200 || exchange.status > 299) return false;
    let news = false;
    this.updateRoute(exchange.host, exchange.method, exchange.route, (facts) => {
      facts.bodyTypes ??= new Map();
      const taught = facts.bodyTypes.get(bodyType) ?? 0;
      if (taught === 0) news = true;
      facts.bodyTypes.set(bodyType, taught + 1);
    });
    return news;
  }

  private stale(remembered: Remembered | undefined): boolean {
    return remembered === undefined || this.now() - remembered.at > this.refreshMs;
  }

  /** Remembers that `method` works on a route; true when it was not known to (or stale). */
  private learnWorking(host: string, route: string, method: string, me: () => Remembered): boolean {
    const key = methodsKey(host, route);
    const working = this.cache.get(key) as Map<string, Remembered> | undefined;
    const known = working?.get(method);
    if (working !== undefined && known === undefined && working.size >= MAX_METHODS_PER_ROUTE) return false;
    this.update(key, working, () => new Map(), (methods) => methods.set(method, me()));
    return this.stale(known);
  }

  private updatePath(host: string, path: string, change: (facts: PathFacts) => void): void {
    const key = this.pathKey(host, path);
    this.update<PathFacts>(key, this.cache.get(key) as PathFacts | undefined, () => ({}), change);
  }

  private updateExisting(host: string, path: string, change: (facts: PathFacts) => void): void {
    const facts = this.cache.get(this.pathKey(host, path)) as PathFacts | undefined;
    if (facts !== undefined) change(facts);
  }

  /**
   * The key of a path's facts. Most traffic has one host: for the first host seen, an
   * origin-form path is its own key (the string the records of it name too, so an entry
   * holds it once); other paths and hosts are keyed `p host path`. No other key starts
   * with `/`.
   */
  private pathKey(host: string, path: string): string {
    const kept = bounded(host);
    this.firstHost ??= kept;
    return kept === this.firstHost && path.charCodeAt(0) === SLASH ? bounded(path) : `p ${kept} ${bounded(path)}`;
  }

  private updateRoute(host: string, method: string, route: string, change: (facts: RouteFacts) => void): void {
    const key = routeKey(host, method, route);
    this.update<RouteFacts>(key, this.cache.get(key) as RouteFacts | undefined, () => ({}), change);
  }

  /**
   * Changes an entry (made when absent) and sets it again, which renews its age. A new
   * entry is stored under a flat copy of its key: the key as built is a chain of the
   * strings it was joined from, which would keep each of them alive for as long as the
   * entry lives (a path that is its own key is stored as it is, shared with its records).
   * lru-cache keeps the key it first stored when an entry is set again.
   */
  private update<T extends PathFacts | RouteFacts | Map<string, Remembered>>(
    key: string,
    existing: T | undefined,
    make: () => T,
    change: (entry: T) => void,
  ): void {
    const entry = existing ?? make();
    change(entry);
    this.cache.set(existing === undefined && key.charCodeAt(0) !== SLASH ? detached(key) : key, entry);
  }
}

const SLASH = 0x2f;

/**
 * Keys per host (a Host header holds no space, nor does a request path): `p` for a path
 * (but for the first host's, see `pathKey`), `r` for a method and route (GET and HEAD are
 * one method for what a route protects), `m` for the working methods of a route.
 */
function routeKey(host: string, method: string, route: string): string {
  return `r ${method === 'HEAD' ? 'GET' : method} ${bounded(host)} ${bounded(route)}`;
}

function methodsKey(host: string, route: string): string {
  return `m ${bounded(host)} ${bounded(route)}`;
}

/** The top-level JSON type of a parsed value. */
export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'object' | 'string' | 'number' | 'boolean';
}

/** Paths (and hosts, routes) longer than this are remembered by a prefix and a digest of the whole. */
export const MAX_PATH_KEY_CHARS = 256;

/**
 * A path, host or route as memory keeps it: itself, or for a long one its first characters
 * and a digest of the whole, so an entry costs a bounded number of bytes however long a
 * hostile client makes them, and distinct values stay distinct. A copy, never a slice of
 * the long original (V8 would keep the original alive behind the slice).
 */
export function bounded(text: string): string {
  if (text.length <= MAX_PATH_KEY_CHARS) return text;
  const digest = createHash('sha256').update(text).digest('base64url').slice(0, 22);
  return detached(`${text.slice(0, MAX_PATH_KEY_CHARS - 25)}...${digest}`);
}
