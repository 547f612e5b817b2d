import { getSystemErrorMap } from 'node:util';

/** Messages for errno names Node's table words as the C library does not. */
const EXTRA: Readonly<Record<string, string>> = {
  ENOTFOUND: 'host not found',
  EISDIR: 'is a directory',
};

let byName: Map<string, string> | undefined;

/**
 * An error's errno code in words (`EADDRINUSE` → `address already in use`), from libuv's
 * own table; the error's message when it has no code.
 */
export function errnoWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return (error as Error | undefined)?.message ?? String(error);
  if (byName === undefined) {
    byName = new Map();
    for (const [name, message] of getSystemErrorMap().values()) byName.set(name, message);
  }
  return EXTRA[code] ?? byName.get(code) ?? (error as Error).message;
}
