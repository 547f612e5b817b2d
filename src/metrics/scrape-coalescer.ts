import { performance } from 'node:perf_hooks';

/** The least time between two renderings of `/metrics`, by default. */
export const DEFAULT_MIN_INTERVAL_MS = 50;

/**
 * Renders `/metrics` at most once per `minIntervalMs`, however many scrapers ask: scrapes
 * that arrive while a rendering is due or under way share it, so ten scrapers in a tight
 * loop cost the event loop what one does and never starve the proxy. Every answer is
 * rendered after its scrape arrived (or together with one already under way): never stale
 * by more than that.
 */
export function coalesceScrapes<T>(render: () => Promise<T>, minIntervalMs = DEFAULT_MIN_INTERVAL_MS): () => Promise<T> {
  let pending: Promise<T> | undefined;
  let lastAt = -Infinity;
  return () => {
    if (pending !== undefined) return pending;
    const wait = lastAt + minIntervalMs - performance.now();
    const run = (): Promise<T> => render().finally(() => {
      lastAt = performance.now();
      pending = undefined;
    });
    pending = wait <= 0 ? run() : new Promise<void>((resolve) => setTimeout(resolve, wait)).then(run);
    return pending;
  };
}
