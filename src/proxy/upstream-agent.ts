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
  if (options.https) {
    const agent = new (class extends https.Agent {
      addRequest(request: http.ClientRequest, requestOptions: object): void {
        options.onRequest(request);
        // @ts-expect-error addRequest is not in the public typings but is how agents receive requests
        super.addRequest(request, requestOptions);
      }
    })({ ...base, rejectUnauthorized: !options.insecureTls });
    return agent;
  }
  return new (class extends http.Agent {
    addRequest(request: http.ClientRequest, requestOptions: object): void {
      options.onRequest(request);
      // @ts-expect-error addRequest is not in the public typings but is how agents receive requests
      super.addRequest(request, requestOptions);
    }
  })(base);
}
