import { pipeline, Readable, Transform } from 'node:stream';
import streamJson from 'stream-json';
import { ERROR_CODES, RestauditError } from '../../errors.js';
import { EntryAssembler, type Token } from './entry-assembler.js';

/** Entries assembled ahead of the consumer before the parser is paused. */
const HIGH_WATER = 32;

/**
 * The entries of a HAR 1.2 document (`log.entries[]`), one at a time, without ever holding
 * the document: a streaming JSON parser (stream-json) tokenizes it and only the entries are
 * built. Every string is held to `maxStringChars` (a longer body is cut, and reads as
 * truncated), so memory is bounded by a few bounded entries whatever the file's size. A
 * UTF-8 byte-order mark is dropped.
 */
export async function* harEntries(bytes: AsyncIterable<Buffer>, file: string, maxStringChars: number): AsyncGenerator<{ index: number; value: unknown }> {
  const queue: { index: number; value: unknown }[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const assembler = new EntryAssembler(maxStringChars, (index, value) => {
    queue.push({ index, value });
    if (queue.length >= HIGH_WATER) parser.pause();
    wake?.();
  });
  const parser = streamJson.parser({ packKeys: true, packNumbers: true, packStrings: false, streamStrings: true, streamKeys: false, streamNumbers: false });
  parser.on('data', (token: Token) => assembler.feed(token));
  pipeline(Readable.from(bytes, { objectMode: false }), stripBom(), parser, (error) => {
    if (error !== null && error !== undefined) failure = error;
  });
  parser.on('end', () => {
    ended = true;
    wake?.();
  });
  parser.on('close', () => {
    ended = true;
    wake?.();
  });
  while (true) {
    const next = queue.shift();
    if (next !== undefined) {
      if (queue.length < HIGH_WATER / 2 && parser.isPaused()) parser.resume();
      yield next;
      continue;
    }
    if (failure !== undefined) break;
    if (ended) break;
    if (parser.isPaused()) parser.resume();
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  if (failure !== undefined) {
    if (failure instanceof RestauditError) throw failure;
    throw new RestauditError(ERROR_CODES.input, [`${file}: not valid JSON (${failure.message.replace(/^Parser cannot parse input: /, '')})`]);
  }
  if (!assembler.found || assembler.notAList) throw new RestauditError(ERROR_CODES.input, [`${file}: log.entries: expected a list (is this a HAR file?)`]);
}

function stripBom(): Transform {
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (first && chunk.length > 0) {
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      }
      callback(null, chunk);
    },
  });
}
