import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import streamJson from 'stream-json';
import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { ERROR_CODES, RestauditError } from '../../errors.js';

interface Token {
  readonly name: string;
  readonly value?: unknown;
}

/**
 * The entries of a HAR 1.2 document (`log.entries[]`), one at a time, without ever holding
 * the document: a streaming JSON parser picks each entry as it passes. Every string is held
 * to `maxStringChars` (a body longer than that is cut, and reads as truncated), so memory is
 * bounded by one entry's bounded size whatever the file's. A UTF-8 byte-order mark is dropped.
 */
export async function* harEntries(bytes: AsyncIterable<Buffer>, file: string, maxStringChars: number): AsyncGenerator<{ index: number; value: unknown }> {
  let picked = false;
  const source = Readable.from(bytes, { objectMode: false });
  const entries = pipeline(
    source,
    stripBom(),
    streamJson.parser({ packKeys: true, packNumbers: true, packStrings: false, streamStrings: true, streamKeys: false, streamNumbers: false }),
    capStrings(maxStringChars),
    Pick.pick({ filter: 'log.entries' }),
    new Transform({
      objectMode: true,
      transform(token: Token, _encoding, callback) {
        picked = true;
        callback(null, token);
      },
    }),
    StreamArray.streamArray(),
    () => undefined,
  ) as unknown as AsyncIterable<{ key: number; value: unknown }>;
  try {
    for await (const { key, value } of entries) yield { index: key, value };
  } catch (error) {
    if (error instanceof RestauditError) throw error;
    const message = (error as Error).message;
    if (message.startsWith('Top-level object should be an array')) throw notHar(file);
    throw new RestauditError(ERROR_CODES.input, [`${file}: not valid JSON (${message.replace(/^Parser cannot parse input: /, '')})`]);
  }
  if (!picked) throw notHar(file);
}

function notHar(file: string): RestauditError {
  return new RestauditError(ERROR_CODES.input, [`${file}: log.entries: expected a list (is this a HAR file?)`]);
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

/** Streamed strings packed into `stringValue` tokens of at most `max` characters. */
function capStrings(max: number): Transform {
  let parts: string[] = [];
  let held = 0;
  return new Transform({
    objectMode: true,
    transform(token: Token, _encoding, callback: TransformCallback) {
      switch (token.name) {
        case 'startString':
          parts = [];
          held = 0;
          callback();
          return;
        case 'stringChunk': {
          const text = token.value as string;
          if (held < max) {
            const part = held + text.length <= max ? text : text.slice(0, max - held);
            parts.push(part);
            held += part.length;
          }
          callback();
          return;
        }
        case 'endString': {
          const value = parts.join('');
          parts = [];
          callback(null, { name: 'stringValue', value });
          return;
        }
        default:
          callback(null, token);
      }
    },
  });
}
