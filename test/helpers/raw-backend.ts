import net, { type AddressInfo } from 'node:net';

/** Bytes kept of what one connection received (enough for any head the suite sends). */
const KEEP_BYTES = 1 << 20;

/** One upstream connection as the raw backend sees it. */
export interface RawConnection {
  readonly socket: net.Socket;
  /** Everything received so far on this connection (the first MiB). */
  received(): Buffer;
  /** Bytes received in all (beyond what is kept too). */
  readonly size: number;
  /** Resolves with the first request head (up to the blank line), as text. */
  head(): Promise<string>;
  /** Resolves once `size` bytes have arrived in all. */
  until(size: number): Promise<void>;
}

export interface RawBackend {
  readonly url: string;
  readonly port: number;
  /** Connections accepted so far, in order. */
  readonly connections: RawConnection[];
  /** Bytes received on every connection together. */
  totalBytes(): number;
  close(): Promise<void>;
}

/**
 * A TCP "upstream" that misbehaves on purpose: `onConnection` gets each connection raw and
 * writes whatever bytes a test wants (half a head, a 101 to a GET, a stall, a reset).
 * Nothing of node:http stands between the test and the wire.
 */
export async function startRawBackend(onConnection: (connection: RawConnection) => void): Promise<RawBackend> {
  const connections: RawConnection[] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    const chunks: Buffer[] = [];
    let kept = 0;
    let size = 0;
    const waiters = new Set<() => void>();
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (kept < KEEP_BYTES) {
        chunks.push(chunk);
        kept += chunk.length;
      }
      for (const wake of waiters) wake();
    });
    const wait = (ready: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (ready()) {
            waiters.delete(check);
            resolve();
          } else if (socket.destroyed || socket.readableEnded) {
            waiters.delete(check);
            reject(new Error('connection closed before the awaited bytes arrived'));
          }
        };
        waiters.add(check);
        socket.once('close', check);
        check();
      });
    const received = (): Buffer => Buffer.concat(chunks);
    const connection: RawConnection = {
      socket,
      received,
      get size() {
        return size;
      },
      async head() {
        await wait(() => received().includes('\r\n\r\n'));
        const all = received().toString('latin1');
        return all.slice(0, all.indexOf('\r\n\r\n'));
      },
      until: (n) => wait(() => size >= n),
    };
    connections.push(connection);
    onConnection(connection);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    totalBytes: () => connections.reduce((sum, connection) => sum + connection.size, 0),
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers each request head on a connection with `answer` (keep-alive, one at a time). */
export function answerEach(answer: (head: string, connection: RawConnection) => string | Buffer): (connection: RawConnection) => void {
  return (connection) => {
    let pending = Buffer.alloc(0);
    connection.socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const total = end + 4 + (length === null ? 0 : Number(length[1]));
        if (pending.length < total) return;
        pending = pending.subarray(total);
        if (!connection.socket.destroyed) connection.socket.write(answer(head, connection));
      }
    });
  };
}
