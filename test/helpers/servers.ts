import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Started {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a real HTTP server on 127.0.0.1, port 0, and gives its URL. */
export async function startBackend(handler: http.RequestListener): Promise<Started & { server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Received {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
  /** Trailer fields after a chunked body, as received. */
  readonly rawTrailers: string[];
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: http.OutgoingHttpHeaders | string[];
  readonly body?: Buffer | string;
  readonly agent?: http.Agent | false;
}

/** One request with node:http; resolves with the raw response (body bytes as received). */
export function request(url: string, options: RequestOptions = {}): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
          rawTrailers: res.rawTrailers,
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `probe` until it returns a value that is not undefined (or fails after `ms`). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
