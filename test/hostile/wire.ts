import net from 'node:net';

export interface WireReply {
  /** Everything the client read, as latin1 text. */
  readonly text: string;
  /** True when the proxy closed (or reset) the connection before `ms` passed. */
  readonly closed: boolean;
  /** True when the connection was reset rather than closed. */
  readonly reset: boolean;
  readonly ms: number;
}

/** Writes raw bytes to the proxy and collects what comes back until it closes or `ms` pass. */
export function sendRaw(port: number, bytes: string | Buffer | Array<string | Buffer>, ms = 2000, until?: (text: string) => boolean, gapMs = 0): Promise<WireReply> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const parts = Array.isArray(bytes) ? bytes : [bytes];
    socket.once('connect', () => {
      if (gapMs === 0) {
        for (const part of parts) socket.write(part);
        return;
      }
      // One part every gapMs (a slow client).
      let next = 0;
      const write = (): void => {
        if (socket.destroyed || next >= parts.length) return;
        socket.write(parts[next++] as string | Buffer);
        setTimeout(write, gapMs);
      };
      write();
    });
    let text = '';
    let reset = false;
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, reset, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (until?.(text) === true) done(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') reset = true;
    });
    socket.on('close', () => done(true));
  });
}

/** The status of the first response in `text`, 0 when none. */
export function statusOf(text: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/** Percentile (0..1) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}
