import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex, Readable } from 'node:stream';
import httpProxy from 'http-proxy';
import { BodyCopy } from '../capture/body-copy.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { ProxyErrorReason } from '../metrics/metrics.js';
import type { AuditPipeline, Judged } from '../pipeline/audit-pipeline.js';
import type { CapturedExchange } from '../capture/exchange.js';
import { errorReason } from './error-reason.js';
import { FLIGHT, Flight, type Carrier } from './flight.js';
import { applyClientTimeouts, createClientServer } from './client-server.js';
import { createDeadlines } from './deadlines.js';
import { setForwarded } from './forwarded.js';
import type { JudgementGate } from './judgement-gate.js';
import { sendProblem, statusFor } from './problem.js';
import { writeUpstreamHead } from './response-head.js';
import { createUpstreamAgent } from './upstream-agent.js';
import { newRequestId, recordedRequestId } from './request-id.js';
import { bodyAfterUpgrade, responseOn, stripUpgrade, switchingHead, tunnel, wantsWebSocket } from './upgrade.js';

/**
 * How long to keep watching an upstream socket for bytes after a bodiless response: they
 * are judged late (the exchange itself is judged, and taught memory, without waiting).
 */
const BODILESS_SETTLE_MS = 25;
/** The status label of an exchange whose client went away before its response was complete. */
const CLIENT_CLOSED = 499;

export interface ProxyDeps {
  readonly logger: Logger;
  /** Takes each exchange once its response has gone: counts, judges and reports it. */
  readonly pipeline: AuditPipeline;
  /** The listening server of the proxy this one replaces (a reload); a new one by default. */
  readonly server?: http.Server;
  /** Holds judgements until other processes' lessons are learned (cluster workers). */
  readonly gate?: JudgementGate;
}

export interface ProxyHandle {
  readonly server: http.Server;
  /** Exchanges in flight. */
  readonly inFlight: () => number;
  /** performance.now() of the upstream's last response head, 0 when none yet. */
  readonly lastUpstreamAnswer: () => number;
  /** Closes WebSocket connections (the HTTP server does not track upgraded sockets). */
  readonly closeUpgrades: () => void;
  /**
   * Starts draining: from now on every response says `Connection: close` and its
   * connection closes after it (a kept-alive client takes no further request here).
   */
  readonly drain: () => void;
  /** Stops taking requests from the server (a reload hands it to another proxy). */
  readonly detach: () => void;
  /** Stops the upstream agent (after the server is closed). */
  readonly destroy: () => void;
}

/**
 * The proxy stage: passes every exchange through untouched, sets aside bounded copies of
 * both bodies, and once the response has gone to the client, hands what it captured to the
 * audit pipeline. It knows nothing about what the pipeline does.
 */
export function createProxy(config: Config & { target: string }, deps: ProxyDeps): ProxyHandle {
  const { logger, pipeline, gate } = deps;
  const maxBodyBytes = config.inspect.maxBodyBytes;
  const bodyTimeoutMs = config.client.bodyTimeoutMs;
  const target = new URL(config.target);
  let inFlight = 0;
  const upgrades = new Set<Duplex>();
  let lastAnswer = 0;
  let draining = false;
  /** The flight whose upstream request is being created right now (synchronously). */
  let creating: Flight | undefined;

  const deadlines = createDeadlines(config, { upstreamTimedOut, clientTimedOut });
  const agent = createUpstreamAgent({
    https: target.protocol === 'https:',
    insecureTls: config.upstream.insecureTls,
    onRequest(request) {
      const flight = creating;
      if (flight === undefined) return;
      const url = flight.req.url ?? '';
      // The client's request-target as it came; `OPTIONS *` stays `*` (http-proxy makes it `/*`).
      if (url.startsWith('/') || url === '*') request.path = url;
      // Every response header is passed on; the head's size (16 KiB) bounds their number.
      (request as ClientRequest & { maxHeadersCount: number }).maxHeadersCount = 0;
      flight.upstreamRequest = request;
      (request as ClientRequest & Carrier)[FLIGHT] = flight;
      request.on('socket', deadlines.onUpstreamSocket);
      request.on('finish', deadlines.onUpstreamRequestSent);
      request.on('upgrade', onUpstreamSwitch);
    },
  });

  const proxy = httpProxy.createProxyServer({
    target: config.target,
    agent,
    // X-Forwarded-* are set by the proxy itself (http-proxy's keep the client's claims).
    xfwd: false,
    secure: !config.upstream.insecureTls,
    changeOrigin: config.upstream.changeOrigin,
    selfHandleResponse: true,
  });
  // http-proxy forces `Content-Length: 0` on DELETE/OPTIONS without one, which drops a
  // chunked body: a request must reach the upstream as the client sent it.
  const passes = (proxy as unknown as { webPasses: { name: string }[] }).webPasses;
  passes.splice(passes.findIndex((pass) => pass.name === 'deleteLength'), 1);

  proxy.on('proxyRes', onUpstreamResponse);
  proxy.on('error', onProxyError);
  // A client that went away while its request was uploading: its response records it.
  proxy.on('econnreset', () => {});

  const server = deps.server ?? createClientServer(config.client);
  if (deps.server !== undefined) applyClientTimeouts(server, config.client);
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  server.on('clientError', onClientError);

  /** `body` is where the request body comes from when it is not `req` (after an upgrade). */
  function onRequest(req: IncomingMessage & Carrier, res: ServerResponse & Carrier, body: Readable & Carrier = req): void {
    inFlight++;
    const sent = req.headers['x-request-id'];
    let id: string;
    if (typeof sent !== 'string' || sent === '') {
      id = newRequestId();
      req.headers['x-request-id'] = id;
    } else id = recordedRequestId(sent);
    const flight = new Flight(id, req, res, performance.now(), maxBodyBytes);
    if (draining) res.shouldKeepAlive = false;
    if (gate !== undefined) flight.ticket = gate.ticket();
    setForwarded(req);
    body[FLIGHT] = flight;
    flight.body = body;
    // A request without a body (most) needs no listener and no timer for one.
    const announced = hasBody(req);
    if (announced || body !== req) body.on('data', onRequestData);
    if (announced) {
      body.once('end', onRequestEnd);
      // A body that came in the head's packet is complete once that packet is parsed.
      if (body === req) process.nextTick(startBodyUnlessComplete, flight);
      else deadlines.startBody(flight);
    }
    res.on('finish', onResponseFinish);
    res.on('close', onResponseClose);
    creating = flight;
    try {
      if (body === req) proxy.web(req, res);
      else proxy.web(req, res, { buffer: body });
    } finally {
      creating = undefined;
    }
  }

  function startBodyUnlessComplete(flight: Flight): void {
    if (!flight.req.complete && !flight.settled) deadlines.startBody(flight);
  }

  function onRequestData(this: Readable & Carrier, chunk: Buffer): void {
    const flight = this[FLIGHT];
    if (flight === undefined) return;
    flight.request.add(chunk);
    flight.bodyTimer?.refresh();
  }

  function onRequestEnd(this: Readable & Carrier): void {
    const flight = this[FLIGHT];
    if (flight === undefined) return;
    flight.bodyDone = true;
    clearTimeout(flight.bodyTimer);
  }

  function upstreamTimedOut(flight: Flight, why: string): void {
    failBeforeHead(flight, 'timeout', new Error(why));
    flight.upstreamRequest?.destroy();
  }

  function clientTimedOut(flight: Flight): void {
    flight.settled = true;
    inFlight--;
    clearTimeout(flight.timer);
    flight.upstreamRequest?.destroy();
    flight.upstreamResponse?.destroy();
    const { res } = flight;
    if (!res.headersSent && !res.destroyed) {
      res.shouldKeepAlive = false;
      res.writeHead(408, { 'content-length': 0, 'x-request-id': flight.id });
      res.end();
    } else {
      res.destroy();
    }
    pipeline.unjudged({ method: flight.method, path: flight.path, status: 408, upstreamSeconds: undefined });
    logger.info({ requestId: flight.id, method: flight.method, path: flight.path, requestBytes: flight.request.size, timeoutMs: bodyTimeoutMs }, 'client timeout');
  }

  /** A 101 from the upstream: a WebSocket is tunnelled; to any other request it is a fault. */
  function onUpstreamSwitch(this: ClientRequest & Carrier, upstream: IncomingMessage, upstreamSocket: Socket, upstreamHead: Buffer): void {
    const flight = this[FLIGHT];
    if (flight === undefined || flight.settled || flight.failure !== undefined) {
      upstreamSocket.destroy();
      return;
    }
    const clientHead = flight.upgradeHead;
    const client = flight.res.socket;
    if (clientHead === undefined || client === null) {
      upstreamSocket.destroy();
      failBeforeHead(flight, 'other', new Error('the upstream switched protocols (101) on a request that asked for no upgrade'));
      return;
    }
    // Passed through, unaudited: the exchange is over for the proxy.
    flight.settled = true;
    inFlight--;
    clearTimeout(flight.timer);
    clearTimeout(flight.bodyTimer);
    lastAnswer = performance.now();
    flight.res.detachSocket(client);
    trackUpgrade(upstreamSocket);
    client.write(switchingHead(upstream));
    if (upstreamHead.length > 0) client.write(upstreamHead);
    if (clientHead.length > 0) upstreamSocket.write(clientHead);
    tunnel(client, upstreamSocket);
  }

  function onUpstreamResponse(upstream: IncomingMessage & Carrier, req: IncomingMessage & Carrier, res: ServerResponse): void {
    const flight = req[FLIGHT];
    if (flight === undefined) return;
    flight.headersAt = performance.now();
    lastAnswer = flight.headersAt;
    clearTimeout(flight.timer);
    flight.timer = undefined;
    flight.status = upstream.statusCode ?? 0;
    if (draining) res.shouldKeepAlive = false;
    flight.upstreamResponse = upstream;
    flight.response = new BodyCopy(maxBodyBytes);
    upstream[FLIGHT] = flight;
    try {
      writeUpstreamHead(res, upstream, req.httpVersion);
    } catch (error) {
      // A head Node refuses to send on (an invalid header): nothing of it can reach the client.
      flight.status = 0;
      upstream.destroy();
      failBeforeHead(flight, 'other', error);
      return;
    }
    judgeHeadSoon(flight, req.complete);
    upstream.on('data', onUpstreamData);
    upstream.on('error', onUpstreamBodyError);
    // Before pipe's own 'end' listener, which ends the response: trailers go out with it.
    upstream.once('end', passTrailers);
    upstream.pipe(res);
    if (flight.bodiless) watchForBytesAfterBodiless(upstream.socket, flight);
    // The head is announced before the parser reads the rest of its packet: a small body
    // is complete by the next tick, and needs no idle timer.
    else process.nextTick(startIdleUnlessComplete, flight);
  }

  function startIdleUnlessComplete(flight: Flight): void {
    if (!flight.settled && flight.upstreamResponse?.complete === false) deadlines.startIdle(flight);
  }

  function onUpstreamData(this: IncomingMessage & Carrier, chunk: Buffer): void {
    const flight = this[FLIGHT];
    if (flight === undefined) return;
    flight.response?.add(chunk);
    flight.timer?.refresh();
  }

  function onUpstreamBodyError(this: IncomingMessage & Carrier, error: Error): void {
    const flight = this[FLIGHT];
    if (flight === undefined || flight.settled || flight.res.destroyed) return;
    flight.brokenAfterHead = errorReason(error);
    // The client sees what it would have seen from the upstream: a response cut off.
    flight.res.destroy();
  }

  function onProxyError(error: Error, req: IncomingMessage, target: unknown): void {
    const flight = (req as IncomingMessage & Carrier)[FLIGHT];
    if (flight === undefined) {
      (target as Duplex).destroy();
      return;
    }
    // Already answered 502/504 (a timeout destroyed the upstream request): nothing more to say.
    if (flight.settled || flight.res.destroyed || flight.failure !== undefined) return;
    if (flight.status !== 0) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (flight.bodiless && code.startsWith('HPE_')) {
        // Bytes after a bodiless response, in the same packet: Node reports them as a parse
        // error once the response is done. The backend's violation, not a proxy fault.
        const parse = error as Error & { rawPacket?: Buffer; bytesParsed?: number };
        flight.bytesAfterBodiless += Math.max(1, (parse.rawPacket?.length ?? 0) - (parse.bytesParsed ?? 0));
        return;
      }
      flight.brokenAfterHead = errorReason(error);
      flight.res.destroy();
      return;
    }
    failBeforeHead(flight, flight.failure ?? errorReason(error), error);
  }

  function failBeforeHead(flight: Flight, reason: ProxyErrorReason, error: unknown): void {
    flight.failure = reason;
    clearTimeout(flight.timer);
    clearTimeout(flight.bodyTimer);
    // The client may still be sending a body nobody will read: the connection closes after.
    if (!flight.req.complete) flight.res.shouldKeepAlive = false;
    if (!flight.res.headersSent && !flight.res.destroyed) sendProblem(flight.res, reason, flight.id);
    else flight.res.destroy();
    logger.warn(
      { reason, requestId: flight.id, method: flight.method, path: flight.path, status: statusFor(reason), err: (error as Error).message },
      'proxy error',
    );
  }

  /**
   * Judged against memory, and taught to it, before the head leaves (writeHead only buffers
   * it): whatever the client sends next is judged knowing this exchange. Behind a gate
   * (cluster workers) the judgement may wait for other processes' lessons; this exchange's
   * lesson does not.
   */
  function judgeHeadSoon(flight: Flight, requestComplete: boolean): void {
    const captured = flight.captured(flight.headersAt);
    if (gate === undefined) {
      judgeHead(flight, captured, requestComplete, false);
      return;
    }
    let announced = false;
    if (!gate.after(flight.ticket, () => judgeHead(flight, captured, requestComplete, announced))) {
      pipeline.announce(captured, requestComplete);
      announced = true;
    }
  }

  function judgeHead(flight: Flight, captured: CapturedExchange, requestComplete: boolean, announced: boolean): void {
    flight.atHead = pipeline.head(captured, requestComplete, announced);
    if (flight.endedAt !== 0) judgeEnd(flight);
  }

  function onResponseFinish(this: ServerResponse & Carrier): void {
    const flight = this[FLIGHT];
    if (flight === undefined || flight.settled) return;
    clearTimeout(flight.timer);
    flight.settled = true;
    inFlight--;
    flight.endedAt = performance.now();
    if (flight.failure !== undefined) {
      pipeline.unjudged({ method: flight.method, path: flight.path, status: statusFor(flight.failure), upstreamSeconds: undefined, reason: flight.failure });
      return;
    }
    // Judged now, unless its head is still waiting for the gate (then once it is judged).
    if (flight.atHead !== undefined) judgeEnd(flight);
  }

  /** The exchange is complete and was judged at its head: the pipeline does the rest. */
  function judgeEnd(flight: Flight): void {
    const judged = pipeline.judge(flight.captured(flight.endedAt), flight.upstreamSeconds, flight.atHead, flight.bodiless);
    // Stray bytes after a bodiless response may still be on their way: judged when they had
    // a moment to arrive (only they; everything else was judged and learned already). The
    // timer, then setImmediate: a loaded event loop may fire this timer in the same turn as
    // the one that sends those bytes; setImmediate lets one poll phase read them.
    if (flight.bodiless) setTimeout(judgeLateAfterIo, BODILESS_SETTLE_MS, flight, judged);
  }

  function judgeLateAfterIo(flight: Flight, judged: Judged): void {
    setImmediate(judgeLate, flight, judged);
  }

  function judgeLate(flight: Flight, judged: Judged): void {
    pipeline.late(judged, flight.bytesAfterBodiless);
  }

  function onResponseClose(this: ServerResponse & Carrier): void {
    const flight = this[FLIGHT];
    if (flight === undefined || flight.settled) return;
    flight.settled = true;
    inFlight--;
    clearTimeout(flight.timer);
    clearTimeout(flight.bodyTimer);
    // Whatever the upstream still had to say has nowhere to go.
    flight.upstreamResponse?.destroy();
    if (flight.status === 0) flight.upstreamRequest?.destroy();
    if (flight.brokenAfterHead !== undefined) {
      pipeline.unjudged({ method: flight.method, path: flight.path, status: flight.status, upstreamSeconds: flight.upstreamSeconds, reason: flight.brokenAfterHead });
      logger.warn(
        { reason: flight.brokenAfterHead, requestId: flight.id, method: flight.method, path: flight.path, status: flight.status, bytes: flight.response?.size ?? 0, err: flight.brokenWhy },
        'proxy error',
      );
      return;
    }
    pipeline.unjudged({ method: flight.method, path: flight.path, status: CLIENT_CLOSED, upstreamSeconds: undefined });
    logger.info(
      {
        requestId: flight.id,
        method: flight.method,
        path: flight.path,
        phase: flight.status === 0 ? 'request' : 'response',
        status: flight.status === 0 ? undefined : flight.status,
        requestBytes: flight.request.size,
        responseBytes: flight.response?.size ?? 0,
      },
      'client aborted',
    );
  }

  /**
   * A request with `Upgrade`: Node hands over the socket. It is answered like any other
   * request (framed, timed out, audited), on that socket; only a WebSocket the upstream
   * accepts with 101 becomes a tunnel. Other protocols (h2c) are asked for no more.
   */
  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', onUpgradeSocketError);
    trackUpgrade(socket);
    const webSocket = wantsWebSocket(req);
    if (!webSocket) stripUpgrade(req);
    const res = responseOn(req, socket as Socket);
    onRequest(req, res, bodyAfterUpgrade(req, socket as Socket, head));
    const flight = (req as IncomingMessage & Carrier)[FLIGHT];
    if (flight !== undefined && webSocket) flight.upgradeHead = head;
  }

  function trackUpgrade(socket: Duplex): void {
    upgrades.add(socket);
    socket.once('close', () => upgrades.delete(socket));
  }

  function onUpgradeSocketError(this: Duplex): void {
    this.destroy();
  }

  function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const code = error.code ?? 'unknown';
    if (code !== 'ECONNRESET') logger.info({ code, err: error.message }, 'client error');
    // A response already on its way on this connection: no second head can follow it.
    const current = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || code === 'ECONNRESET' || current?.headersSent === true) {
      socket.destroy();
      return;
    }
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    // Closed once the answer is out, whether or not the client reads it or closes its side:
    // a slowloris client that never reads must not hold the connection half-open.
    socket.once('finish', () => socket.destroy());
  }

  return {
    server,
    inFlight: () => inFlight,
    lastUpstreamAnswer: () => lastAnswer,
    closeUpgrades: () => {
      for (const socket of upgrades) socket.destroy();
    },
    drain: () => {
      draining = true;
    },
    detach: () => {
      server.removeListener('request', onRequest);
      server.removeListener('upgrade', onUpgrade);
      server.removeListener('clientError', onClientError);
    },
    destroy: () => {
      agent.destroy();
      proxy.close();
    },
  };
}

/** Trailer fields of a chunked upstream response, passed on as they came (Node drops them otherwise). */
function passTrailers(this: IncomingMessage & Carrier): void {
  const raw = this.rawTrailers;
  const res = this[FLIGHT]?.res;
  if (raw.length === 0 || res === undefined || res.writableEnded) return;
  const fields: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) fields.push([raw[i] as string, raw[i + 1] as string]);
  res.addTrailers(fields);
}

/** True when the request head announces a body (a length above 0, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

// ---- bytes after a bodiless response -------------------------------------------------

const WATCHED = Symbol('restaudit.watched');
interface WatchedSocket extends Socket {
  [WATCHED]?: Flight;
}

/**
 * Watches an upstream socket after a HEAD/204/304 response until it carries another
 * request: bytes seen meanwhile belong to the bodiless response. Node drops them silently
 * on an idle keep-alive socket, or fails the next request on it; the proxy counts them for
 * the rules and closes that socket so it is never reused.
 */
function watchForBytesAfterBodiless(socket: WatchedSocket, flight: Flight): void {
  if (socket[WATCHED] === undefined) socket.on('data', onWatchedData);
  socket[WATCHED] = flight;
}

function onWatchedData(this: WatchedSocket, chunk: Buffer): void {
  const flight = this[WATCHED];
  const current = (this as Socket & { _httpMessage?: ClientRequest | null })._httpMessage;
  if (flight === undefined || (current !== null && current !== undefined && current !== flight.upstreamRequest)) {
    // The socket carries another exchange now: its bytes are that exchange's.
    this.removeListener('data', onWatchedData);
    this[WATCHED] = undefined;
    return;
  }
  if (current === null || current === undefined || flight.upstreamResponse?.complete === true) {
    flight.bytesAfterBodiless += chunk.length;
    this.destroy();
  }
}
