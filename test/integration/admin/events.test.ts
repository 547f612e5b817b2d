import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventStream, EVENT_STREAM_LIMITS, type ViolationSource } from '../../../src/admin/event-stream.js';
import type { ViolationRecord } from '../../../src/findings/violation-buffer.js';
import { startAudit, type RunningAudit } from '../../helpers/audit.js';
import { startScriptedBackend, type Script } from '../../helpers/scripted-backend.js';
import { eventually, request, type Started } from '../../helpers/servers.js';
import { readEvents } from '../../helpers/sse.js';

const STACK = 'TypeError: boom\n    at handler (/app/src/orders.js:12:7)\n    at next (/app/node_modules/express/lib/router/route.js:149:13)';

describe('GET /events on a real restaudit', () => {
  let backend: Started & { script: Script };
  let audit: RunningAudit;

  beforeAll(async () => {
    // Three findings in one exchange: a 500 to malformed JSON, declared JSON that does not
    // parse, and a stack trace.
    backend = await startScriptedBackend(() => ({ status: 500, headers: { 'content-type': 'application/json' }, body: STACK }));
    audit = await startAudit(backend.url);
  });
  afterAll(async () => {
    await audit?.close();
    await backend?.close();
  });

  it('sends one violation event per violation, with what /violations records', async () => {
    const reader = await readEvents(`${audit.adminUrl}/events`);
    try {
      expect(reader.status).toBe(200);
      await request(`${audit.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":' });
      const events = await reader.waitFor('violation', 3);
      const recorded = await audit.violations();
      expect(recorded).toHaveLength(3);
      const sent = events.map((event) => JSON.parse(event.data) as Record<string, unknown>);
      expect(sent.map((v) => v.rule).sort()).toEqual(['invalid-json-response', 'server-error-on-bad-input', 'stack-trace-leak']);
      // Newest first in /violations, in order of happening on the stream.
      expect(sent).toEqual([...recorded].reverse());
      await new Promise((r) => setTimeout(r, 100));
      expect(reader.events.filter((event) => event.event === 'violation')).toHaveLength(3);
    } finally {
      reader.close();
    }
  });

  it('stops watching the violations when the last reader leaves', async () => {
    const reader = await readEvents(`${audit.adminUrl}/events`);
    reader.close();
    await eventually(() => (audit.service.violations as unknown as { listeners: Set<unknown> }).listeners.size === 0 || undefined);
  });
});

/** The stream on its own, fed by hand, behind a real HTTP server and real sockets. */
describe('EventStream bounds', () => {
  let server: http.Server;
  let stream: EventStream;
  let url: string;
  let emit: (record: ViolationRecord) => void = () => undefined;
  let subscriptions = 0;
  const source: ViolationSource = (onViolation) => {
    subscriptions++;
    emit = onViolation;
    return () => {
      subscriptions--;
      emit = () => undefined;
    };
  };

  async function start(limits = EVENT_STREAM_LIMITS): Promise<void> {
    stream = new EventStream(source, limits);
    server = http.createServer((_req, res) => stream.accept(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  }
  afterEach(async () => {
    stream.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const record = (i: number, evidence: Record<string, unknown> = { body: 'x'.repeat(900) }): ViolationRecord => ({
    time: i, rule: 'stack-trace-leak', severity: 'warning', method: 'GET', host: 'api.test', path: `/p/${i}`, route: '/p/:id', status: 500, requestId: `r${i}`, durationMs: 1, message: 'a stack trace', evidence,
  });

  it('cuts off a reader that does not read, while one that reads gets every event', async () => {
    await start({ ...EVENT_STREAM_LIMITS, maxQueuedBytes: 64 * 1024 });
    const fast = await readEvents(url);
    // A reader that sends its request and never reads a byte of the answer.
    const slow = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    slow.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    slow.pause();
    slow.on('error', () => undefined);
    await eventually(() => (stream.size === 2 ? true : undefined));
    let sent = 0;
    // Far more than the kernel's socket buffers hold (a few MB on loopback): without the
    // bound, the server would queue all of it in memory for the reader that does not read.
    while (stream.size === 2 && sent < 100_000) {
      emit(record(sent++));
      if (sent % 16 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(stream.size, `the slow reader was still connected after ${sent} events of 1 KB`).toBe(1);
    expect(sent).toBeLessThan(100_000);
    slow.destroy();
    await fast.waitFor('violation', sent, 20_000);
    fast.close();
    await eventually(() => (subscriptions === 0 ? true : undefined));
  });

  it('answers 503 beyond maxClients, and sends an oversized event without its evidence', async () => {
    await start({ ...EVENT_STREAM_LIMITS, maxClients: 2, maxEventBytes: 2048 });
    const a = await readEvents(url);
    const b = await readEvents(url);
    const c = await readEvents(url);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 503]);
    emit(record(1, { body: 'y'.repeat(5000) }));
    const [event] = await a.waitFor('violation', 1);
    expect(JSON.parse(event!.data)).toMatchObject({ rule: 'stack-trace-leak', evidence: { omitted: 'larger than 2048 bytes: see /violations' } });
    a.close();
    b.close();
    c.close();
  });
});
