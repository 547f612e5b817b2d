import { randomFillSync } from 'node:crypto';

/** Random bytes for this many ids are drawn at once. */
const BATCH = 128;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes goes in `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
const OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

const random = Buffer.allocUnsafe(16 * BATCH);
const text = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
let next = BATCH;

/**
 * A random (version 4) UUID for `X-Request-Id`, as one flat string of 36 bytes.
 *
 * `crypto.randomUUID()` builds its result by concatenation: V8 keeps it as a tree of some
 * twenty string pieces (about 490 bytes) until something flattens it. A request id lives as
 * long as cross-exchange memory remembers the exchange (100,000 of them by default), so it
 * is written into a buffer and decoded once instead (about 70 bytes).
 */
export function newRequestId(): string {
  if (next === BATCH) {
    randomFillSync(random);
    next = 0;
  }
  const start = next++ * 16;
  for (let i = 0; i < 16; i++) {
    let byte = random[start + i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 9562 variant
    const at = OFFSETS[i] as number;
    text[at] = HEX[byte >> 4] as number;
    text[at + 1] = HEX[byte & 0x0f] as number;
  }
  return text.toString('latin1');
}

/** The longest `X-Request-Id` recorded (logs, memory, `/violations`); the upstream gets it whole. */
export const MAX_REQUEST_ID_CHARS = 128;

/**
 * The request id as recorded: a client-sent id longer than MAX_REQUEST_ID_CHARS is cut to
 * its first characters (still a valid header value: a 502/504 answers with it).
 */
export function recordedRequestId(id: string): string {
  // A copy, not a slice: V8 keeps the whole parent string alive behind a slice of it.
  return id.length > MAX_REQUEST_ID_CHARS ? Buffer.from(id.slice(0, MAX_REQUEST_ID_CHARS), 'latin1').toString('latin1') : id;
}
