import http from 'node:http';
import https from 'node:https';

/** Called synchronously for each upstream request the agent is handed. */
export type OnUpstreamRequest = (request: http.ClientRequest) => void;

export interface UpstreamAgentOptions {
  readonly https: boolean;
  readonly insecureTls: boolean;
  readonly onRequest: OnUpstreamRequest;
}

/**
 * The keep-alive agent restaudit reaches the upstream with. It also gives the proxy a
 * synchronous look at each upstream request before its head is written: http-proxy
 * rebuilds the path with `url.parse` and collapses `//`, and the proxy puts the client's
 * exact request-target back (transparency), and it keeps the request for the timeout.
 */
export function createUpstreamAgent(options: UpstreamAgentOptions): http.Agent {
  const base = { keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 256, scheduling: 'lifo' as const };
  const agent = options.https ? new https.Agent({ ...base, rejectUnauthorized: !options.insecureTls }) : new http.Agent(base);
  // `addRequest` is how http.request hands a request to its agent, synchronously, before
  // the request head is written (it is not in Node's public typings).
  const internal = agent as unknown as { addRequest(request: http.ClientRequest, requestOptions: object): void };
  const addRequest = internal.addRequest.bind(agent);
  internal.addRequest = (request, requestOptions) => {
    options.onRequest(request);
    addRequest(request, requestOptions);
  };
  return agent;
}
