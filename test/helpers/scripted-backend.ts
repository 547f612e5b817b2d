import type http from 'node:http';
import { startBackend, type Started } from './servers.js';

/** What a scripted backend answers. */
export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** Bytes written to the socket after the response (for bodiless responses that carry some). */
  readonly stray?: string;
}

export type Script = (req: http.IncomingMessage, body: Buffer) => Answer;

/**
 * A real backend whose answers a test scripts: `backend.script = (req) => ({ status: 201, ... })`.
 * Useful for sequences where each step needs a different answer.
 */
export async function startScriptedBackend(initial: Script = () => ({ status: 200 })): Promise<Started & { script: Script }> {
  const holder: { script: Script } = { script: initial };
  const started = await startBackend((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = holder.script(req, Buffer.concat(chunks));
      const socket = res.socket;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      if (answer.stray !== undefined) socket?.write(answer.stray);
    });
  });
  return Object.defineProperty(started, 'script', {
    get: () => holder.script,
    set: (value: Script) => (holder.script = value),
    enumerable: true,
  }) as unknown as Started & { script: Script };
}

/** JSON answer helper. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}
