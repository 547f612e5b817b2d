import http from 'node:http';
import type { Config } from '../config/schema.js';

/**
 * The HTTP server clients connect to, with the client-side timeouts of the configuration.
 * Node checks head and request deadlines on a sweep, not per connection: the sweep runs
 * four times per head deadline (at most every 5 s), so a slowloris connection is closed
 * within 1.25 times `client.headerTimeoutMs`.
 */
export function createClientServer(client: Config['client']): http.Server {
  const server = http.createServer({
    headersTimeout: client.headerTimeoutMs,
    requestTimeout: client.requestTimeoutMs,
    keepAliveTimeout: client.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(5000, Math.max(50, Math.floor(client.headerTimeoutMs / 4))),
  });
  // Every request header is passed on: the head's size (Node's 16 KiB, else 431) bounds their
  // number, where Node's count limit would drop those beyond 1,000 without a word.
  server.maxHeadersCount = 0;
  return server;
}

/** A reloaded configuration's client timeouts, on a server already listening (the sweep interval stays). */
export function applyClientTimeouts(server: http.Server, client: Config['client']): void {
  server.headersTimeout = client.headerTimeoutMs;
  server.requestTimeout = client.requestTimeoutMs;
  server.keepAliveTimeout = client.keepAliveTimeoutMs;
}
