import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Config } from '../config/schema.js';
import { FLIGHT, type Carrier, type Flight } from './flight.js';

/** What the proxy does when a deadline passes. */
export interface DeadlineOutcomes {
  /** The upstream failed to connect, answer or take the body in time: 504, reason timeout. */
  upstreamTimedOut(flight: Flight, why: string): void;
  /** The client stopped sending its body: 408. */
  clientTimedOut(flight: Flight): void;
}

export interface Deadlines {
  /** Listener for the upstream request's 'socket': a new connection gets connectTimeoutMs. */
  readonly onUpstreamSocket: (this: ClientRequest & Carrier, socket: Socket) => void;
  /** Listener for the upstream request's 'finish': the head deadline starts once connected. */
  readonly onUpstreamRequestSent: (this: ClientRequest & Carrier) => void;
  /** The request body's idle deadline; the proxy refreshes `flight.bodyTimer` on each chunk. */
  startBody(flight: Flight): void;
  /** The response body's idle deadline; the proxy refreshes `flight.timer` on each chunk. */
  startIdle(flight: Flight): void;
}

/**
 * The timeouts of one exchange, each counted from where nginx and Envoy count it: connect
 * (`upstream.connectTimeoutMs`), then the response head from the moment the request has been
 * sent in full (`upstream.timeoutMs`), then the gaps in the response body
 * (`upstream.idleTimeoutMs`); meanwhile the gaps in the request body (`client.bodyTimeoutMs`).
 * One upstream timer a flight at a time (`flight.timer`), re-armed at each phase.
 */
export function createDeadlines(config: Config, outcomes: DeadlineOutcomes): Deadlines {
  const { timeoutMs, connectTimeoutMs, idleTimeoutMs } = config.upstream;
  const bodyTimeoutMs = config.client.bodyTimeoutMs;

  function startHead(flight: Flight): void {
    if (flight.status !== 0 || flight.settled || flight.failure !== undefined) return;
    clearTimeout(flight.timer);
    flight.timer = setTimeout(onHeadTimeout, timeoutMs, flight);
  }

  function onConnectTimeout(flight: Flight): void {
    timedOut(flight, `no connection to the upstream within ${connectTimeoutMs} ms`);
  }

  function onHeadTimeout(flight: Flight): void {
    timedOut(flight, `no response head within ${timeoutMs} ms of the request being sent`);
  }

  function timedOut(flight: Flight, why: string): void {
    flight.timer = undefined;
    if (flight.status !== 0 || flight.settled || flight.failure !== undefined) return;
    outcomes.upstreamTimedOut(flight, why);
  }

  /** No byte of the response body for idleTimeoutMs while the client was reading: cut off. */
  function onIdleTimeout(flight: Flight): void {
    const upstream = flight.upstreamResponse;
    if (flight.settled || upstream === undefined || upstream.complete) return;
    // The client reads slowly and the proxy stopped reading for it: not the upstream's stall.
    if (upstream.isPaused()) {
      flight.timer?.refresh();
      return;
    }
    flight.brokenAfterHead = 'timeout';
    flight.brokenWhy = `no byte of the response body within ${idleTimeoutMs} ms`;
    upstream.destroy();
    flight.res.destroy();
  }

  /**
   * No byte of the request body for bodyTimeoutMs. When the proxy stopped reading because
   * the upstream takes nothing, the upstream stalled (504); else the client did (408).
   */
  function onBodyTimeout(flight: Flight): void {
    flight.bodyTimer = undefined;
    if (flight.settled || flight.bodyDone) return;
    if (flight.body?.isPaused() !== true) {
      outcomes.clientTimedOut(flight);
      return;
    }
    if (flight.status === 0 && flight.failure === undefined) {
      outcomes.upstreamTimedOut(flight, `the upstream took no byte of the request body within ${bodyTimeoutMs} ms`);
    }
  }

  return {
    onUpstreamSocket(this: ClientRequest & Carrier, socket: Socket) {
      const flight = this[FLIGHT];
      if (flight === undefined || !socket.connecting) return;
      flight.timer = setTimeout(onConnectTimeout, connectTimeoutMs, flight);
      socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => {
        clearTimeout(flight.timer);
        flight.timer = undefined;
        if (flight.requestSent) startHead(flight);
      });
    },
    onUpstreamRequestSent(this: ClientRequest & Carrier) {
      const flight = this[FLIGHT];
      if (flight === undefined) return;
      flight.requestSent = true;
      // Before the connection is up, 'finish' only means the request waits in a buffer.
      if (this.socket !== null && !this.socket.connecting) startHead(flight);
    },
    startBody(flight) {
      flight.bodyTimer = setTimeout(onBodyTimeout, bodyTimeoutMs, flight);
    },
    startIdle(flight) {
      flight.timer = setTimeout(onIdleTimeout, idleTimeoutMs, flight);
    },
  };
}
