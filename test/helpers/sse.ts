import http from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export interface SseReader {
  readonly status: number;
  readonly events: SseEvent[];
  /** Resolves once `n` events of `name` have arrived. */
  waitFor(name: string, n: number, ms?: number): Promise<SseEvent[]>;
  close(): void;
}

/** Reads a `text/event-stream` with node:http, parsing each event as it arrives. */
export function readEvents(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const events: SseEvent[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: data.join('\n') });
        }
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        events,
        async waitFor(name, n, ms = 5000) {
          const deadline = Date.now() + ms;
          for (;;) {
            const matching = events.filter((e) => e.event === name);
            if (matching.length >= n) return matching;
            if (Date.now() > deadline) throw new Error(`expected ${n} ${name} events, got ${matching.length}`);
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
