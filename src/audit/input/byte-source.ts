import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CODES, RestauditError } from '../../errors.js';
import { errnoWords } from '../../errno-words.js';

/** How often a followed file is checked for growth. */
export const FOLLOW_POLL_MS = 200;
const CHUNK_BYTES = 1 << 16;

export interface ByteSourceOptions {
  /** Keep reading as the file grows, until `signal` aborts (a rotated or truncated file is reopened). */
  readonly follow: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The bytes of an input: a file (`-` is standard input), read in 64 KiB chunks. With
 * `follow`, the end of the file is not the end: it waits for more, like `tail -F`.
 */
export async function* byteSource(file: string, options: ByteSourceOptions): AsyncGenerator<Buffer> {
  if (file === '-') {
    for await (const chunk of process.stdin) {
      yield chunk as Buffer;
      if (options.signal?.aborted === true) return;
    }
    return;
  }
  let handle = await openInput(file);
  let position = 0;
  let inode = (await handle.stat()).ino;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    while (options.signal?.aborted !== true) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead > 0) {
        position += bytesRead;
        yield Buffer.from(buffer.subarray(0, bytesRead));
        continue;
      }
      if (!options.follow) return;
      await sleep(FOLLOW_POLL_MS, undefined, { signal: options.signal }).catch(() => undefined);
      const now = await stat(file).catch(() => undefined);
      if (now !== undefined && (now.ino !== inode || now.size < position)) {
        // Rotated or truncated: start over on what is at the path now.
        await handle.close();
        handle = await openInput(file);
        inode = now.ino;
        position = 0;
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function openInput(file: string): Promise<FileHandle> {
  try {
    const handle = await open(file, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    return handle;
  } catch (error) {
    throw new RestauditError(ERROR_CODES.input, [`${file}: ${errnoWords(error)}`]);
  }
}
