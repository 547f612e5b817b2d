import type { IncomingMessage, ServerResponse } from 'node:http';

/** One endpoint of the demo API: how it is reached, what it answers, which rule it shows. */
export interface DemoRoute {
  readonly method: string;
  /** A path template; `:id` matches one segment. */
  readonly path: string;
  /** The rule id (of the contract) this endpoint trips on purpose; undefined for a well-formed endpoint. */
  readonly rule?: string;
  readonly description: string;
  /** The requests that show what the endpoint does (for the banner, the README and tests). */
  readonly try?: readonly DemoRequest[];
  /** A well-formed endpoint shown in the start-up banner (every flawed one with `try` is shown). */
  readonly featured?: boolean;
  readonly handle: (exchange: DemoExchange) => void;
}

/** A request to try against the demo. */
export interface DemoRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The request as a curl command line against `base`. */
export function curlLine(base: string, request: DemoRequest): string {
  const parts = ['curl -si'];
  if (request.method === 'HEAD') parts[0] = 'curl -sI';
  else if (request.method !== 'GET') parts.push(`-X ${request.method}`);
  const url = `${base}${request.path}`;
  // Quoted when a shell would read it as a glob or a background job (`?preview=1` in zsh).
  parts.push(/[?&*[\]]/.test(url) ? `'${url}'` : url);
  for (const [name, value] of Object.entries(request.headers ?? {})) parts.push(`-H '${name}: ${value}'`);
  if (request.body !== undefined) parts.push(`-d '${request.body}'`);
  return parts.join(' ');
}

export interface DemoExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Path parameters by name. */
  readonly params: Readonly<Record<string, string>>;
  /** The query string's parameters. */
  readonly query: URLSearchParams;
  /** The request body (at most 1 MiB). */
  readonly body: Buffer;
  /** True when the request carried a credential header or cookie (the contract's defaults). */
  readonly authenticated: boolean;
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendProblem(res: ServerResponse, status: number, title: string, detail?: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, ...(detail === undefined ? {} : { detail }) });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Parses a JSON request body; undefined when it does not parse. */
export function parseJson(body: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}
