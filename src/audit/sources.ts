import { harEntryOf, harExchange } from '../capture/har-entry.js';
import type { CapturedExchange } from '../capture/exchange.js';
import { nginxExchange, nginxUpstreamSeconds } from '../capture/nginx-json.js';
import { ERROR_CODES, RestauditError } from '../errors.js';
import { byteSource } from './input/byte-source.js';
import { harEntries } from './input/har-stream.js';
import { lines } from './input/lines.js';

export const INPUT_FORMATS = ['har', 'ndjson', 'nginx-json'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Where in the input an exchange was: the entry's index (from 0) and, for line inputs, its line. */
export interface Place {
  readonly entry: number;
  readonly line?: number;
}

export type SourceItem =
  | { readonly kind: 'exchange'; readonly captured: CapturedExchange; readonly upstreamSeconds: number | undefined; readonly place: Place }
  | { readonly kind: 'skipped'; readonly reason: string; readonly place: Place };

export interface SourceOptions {
  /** `har`, `ndjson` or `nginx-json`; undefined: HAR when the document starts with `{"log"`, else NDJSON. */
  readonly format: InputFormat | undefined;
  readonly follow: boolean;
  readonly maxBodyBytes: number;
  readonly signal?: AbortSignal;
}

/** Bytes of a line beyond which it is skipped (a HAR entry with a body far above any bound). */
const MAX_LINE_BYTES = 64 << 20;

/** The exchanges of an input, in the order they appear, and the entries skipped, with why. */
export async function* sourceItems(file: string, options: SourceOptions): AsyncGenerator<SourceItem> {
  const bytes = byteSource(file, { follow: options.follow, signal: options.signal });
  const { format, chunks } = await detect(bytes, options.format);
  if (format === 'har') {
    if (options.follow) throw new RestauditError(ERROR_CODES.usage, ['--follow: reads line inputs (ndjson, nginx-json); a HAR document is complete only at its end']);
    // A body is kept to maxBodyBytes; base64 takes 4 characters for 3 bytes.
    const maxChars = Math.ceil(((options.maxBodyBytes + 1) * 4) / 3) + 4;
    for await (const { index, value } of harEntries(chunks, file, maxChars)) yield fromHar(value, { entry: index }, options.maxBodyBytes);
    return;
  }
  let entry = 0;
  for await (const line of lines(chunks, MAX_LINE_BYTES)) {
    if (line.text !== undefined && line.text.trim() === '') continue;
    const place = { entry: entry++, line: line.number };
    if (line.text === undefined) {
      yield { kind: 'skipped', reason: 'line too long', place };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      yield { kind: 'skipped', reason: 'not JSON', place };
      continue;
    }
    if (format === 'ndjson') {
      yield fromHar(value, place, options.maxBodyBytes);
      continue;
    }
    const captured = nginxExchange(value, `line-${line.number}`);
    if (typeof captured === 'string') yield { kind: 'skipped', reason: captured, place };
    else yield { kind: 'exchange', captured, upstreamSeconds: nginxUpstreamSeconds(value), place };
  }
}

function fromHar(value: unknown, place: Place, maxBodyBytes: number): SourceItem {
  const entry = harEntryOf(value);
  if (typeof entry === 'string') return { kind: 'skipped', reason: entry, place };
  const captured = harExchange(entry, place.line === undefined ? `entry-${place.entry}` : `line-${place.line}`, maxBodyBytes);
  if (captured === undefined) return { kind: 'skipped', reason: 'malformed', place };
  return { kind: 'exchange', captured, upstreamSeconds: harWait(value), place };
}

/** HAR's `timings.wait`: the time to the response's first byte, in seconds. */
function harWait(value: unknown): number | undefined {
  const wait = (value as { timings?: { wait?: unknown } }).timings?.wait;
  return typeof wait === 'number' && wait >= 0 ? wait / 1000 : undefined;
}

/** Reads ahead to the first non-blank byte: a document starting `{"log"` is HAR, anything else NDJSON. */
async function detect(bytes: AsyncGenerator<Buffer>, format: InputFormat | undefined): Promise<{ format: InputFormat; chunks: AsyncGenerator<Buffer> }> {
  if (format !== undefined) return { format, chunks: bytes };
  const seen: Buffer[] = [];
  let head = '';
  while (true) {
    const next = await bytes.next();
    if (next.done === true) break;
    seen.push(next.value);
    head = Buffer.concat(seen).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (head.length >= 64 || (head.length > 0 && !head.startsWith('{'))) break;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* seen;
    yield* bytes;
  }
  return { format: /^\{\s*"log"\s*:/.test(head) ? 'har' : 'ndjson', chunks: replay() };
}
