import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';

/** True when a request asks to become a WebSocket (the only upgrade restaudit tunnels). */
export function wantsWebSocket(req: IncomingMessage): boolean {
  return /(?:^|[\s,])websocket(?:$|[\s,])/i.test(req.headers.upgrade ?? '');
}

/**
 * Makes a request that asked for another protocol (h2c, say) a plain HTTP/1.1 request:
 * `Upgrade`, `HTTP2-Settings` and the `Connection` header that names them are removed, so
 * the upstream answers it as any other.
 */
export function stripUpgrade(req: IncomingMessage): void {
  delete req.headers.upgrade;
  delete req.headers['http2-settings'];
  delete req.headers.connection;
}

/**
 * A response object on a socket Node's HTTP server handed over for an upgrade: the request
 * is then answered like any other (framed by Node, closed after it, as Node no longer reads
 * that connection).
 */
export function responseOn(req: IncomingMessage, socket: Socket): http.ServerResponse {
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket);
  res.once('finish', () => socket.end(() => socket.destroy()));
  return res;
}

/** The head of a 101 answer, as the upstream wrote it. */
export function switchingHead(upstream: IncomingMessage): string {
  const raw = upstream.rawHeaders;
  let head = `HTTP/1.1 101 ${upstream.statusMessage ?? 'Switching Protocols'}\r\n`;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i] as string}: ${raw[i + 1] as string}\r\n`;
  return `${head}\r\n`;
}

/** Joins the two sockets of a WebSocket both ways; either end closing closes the other. */
export function tunnel(client: Socket, upstream: Socket): void {
  for (const socket of [client, upstream]) {
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
  }
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth);
  upstream.on('error', closeBoth);
  client.on('close', closeBoth);
  upstream.on('close', closeBoth);
  client.pipe(upstream).pipe(client);
}

/**
 * The body of an upgrade request with a `Content-Length`: Node stops parsing at the head and
 * hands the rest over as bytes, so the body is read here, from those bytes and the socket.
 * Undefined when there is none (the request itself then ends at once).
 */
export function bodyAfterUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Readable | undefined {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length <= 0) return undefined;
  const body = new PassThrough();
  let remaining = length;
  const take = (chunk: Buffer): void => {
    const part = chunk.subarray(0, remaining);
    remaining -= part.length;
    body.write(part);
    if (remaining > 0) return;
    socket.removeListener('data', take);
    socket.pause();
    body.end();
  };
  take(head);
  if (remaining > 0) {
    socket.on('data', take);
    socket.resume();
  }
  return body;
}
