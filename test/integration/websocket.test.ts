import type { Server } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit, type RunningAudit } from '../helpers/audit.js';
import { startBackend, type Started } from '../helpers/servers.js';

/** WebSocket upgrades pass through restaudit, unaudited: the 101 and the bytes after it. */
describe('WebSocket upgrades', () => {
  let backend: Started & { server: Server };
  let audit: RunningAudit;

  beforeAll(async () => {
    backend = await startBackend((_req, res) => res.end('plain'));
    backend.server.on('upgrade', (req, socket) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: accepted-for-${String(req.headers['sec-websocket-key'])}\r\n\r\n`,
      );
      // An echo server speaking raw bytes after the upgrade.
      socket.on('data', (chunk: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])));
      socket.on('end', () => socket.end());
    });
    audit = await startAudit(backend.url);
  });
  afterAll(async () => {
    await backend.close();
  });

  it('passes the upgrade and the frames both ways', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(audit.port, '127.0.0.1', () => {
        socket.write('GET /chat HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc123\r\nSec-WebSocket-Version: 13\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('\r\n\r\n') && !text.includes('echo:')) socket.write('hello');
        if (text.includes('echo:hello')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
    });
    expect(received).toMatch(/^HTTP\/1\.1 101 Switching Protocols/);
    // The upstream's 101 head as it came (its header case included).
    expect(received).toContain('Sec-WebSocket-Accept: accepted-for-abc123');
    expect(received).toContain('echo:hello');
    expect(audit.violationLines()).toEqual([]);
  });

  it('closes open WebSockets on shutdown instead of waiting for them', async () => {
    const socket = net.connect(audit.port, '127.0.0.1', () => socket.write('GET /chat HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    await new Promise((resolve) => socket.once('data', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const started = Date.now();
    await audit.close();
    await closed;
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
