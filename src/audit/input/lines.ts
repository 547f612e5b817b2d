/** One line of a line-oriented input, numbered from 1, or a note that it was too long. */
export interface Line {
  readonly number: number;
  /** The line without its end (`\n` or `\r\n`); undefined when it exceeded the bound. */
  readonly text: string | undefined;
}

/**
 * Splits bytes into lines, holding at most `maxLineBytes` of one line: a longer line is
 * skipped (its bytes dropped as they come) and reported with `text` undefined. A UTF-8
 * byte-order mark before the first line is dropped.
 */
export async function* lines(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let held = 0;
  let overlong = false;
  let number = 0;
  let first = true;
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      number++;
      const piece = chunk.subarray(start, end);
      start = end + 1;
      if (overlong || held + piece.length > maxLineBytes) yield { number, text: undefined };
      else yield { number, text: textOf(held === 0 ? piece : Buffer.concat([...parts, piece])) };
      parts = [];
      held = 0;
      overlong = false;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0 || overlong) continue;
    if (held + rest.length > maxLineBytes) {
      overlong = true;
      parts = [];
      held = 0;
    } else {
      parts.push(Buffer.from(rest));
      held += rest.length;
    }
  }
  if (overlong) yield { number: number + 1, text: undefined };
  else if (held > 0) yield { number: number + 1, text: textOf(Buffer.concat(parts)) };
}

function textOf(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}
