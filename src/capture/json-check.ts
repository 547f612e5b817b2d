/**
 * Whether bytes are one JSON text (RFC 8259), decided without building any value: what
 * `invalid-json-response` needs for every declared-JSON response, at a fraction of the cost
 * of `JSON.parse` (no objects, no strings, no garbage). Agrees with `JSON.parse` on the same
 * text decoded as UTF-8; bytes of 0x80 and above are accepted inside strings.
 */
export function isJsonText(bytes: Buffer): boolean {
  return scanJson(bytes, undefined);
}

/**
 * Like isJsonText, and collects the member names of a top-level object into `names` (as
 * they are written, escapes not undone): what a rule needs to decide whether a body is worth
 * parsing at all.
 */
export function scanJson(bytes: Buffer, names: string[] | undefined): boolean {
  const n = bytes.length;
  const keys = names;
  let i = skipSpace(bytes, 0, n);
  // A stack of open containers: 1 = object, 2 = array.
  const stack: number[] = [];
  for (;;) {
    // A value starts at i.
    if (i >= n) return false;
    let c = bytes[i] as number;
    if (c === 0x7b /* { */) {
      i = skipSpace(bytes, i + 1, n);
      if (bytes[i] === 0x7d /* } */) {
        i++;
      } else {
        stack.push(1);
        if (keys !== undefined && stack.length === 1) keys.push(keyAt(bytes, i, n));
        i = member(bytes, i, n);
        if (i < 0) return false;
        continue;
      }
    } else if (c === 0x5b /* [ */) {
      i = skipSpace(bytes, i + 1, n);
      if (bytes[i] === 0x5d /* ] */) {
        i++;
      } else {
        stack.push(2);
        continue;
      }
    } else if (c === 0x22 /* " */) {
      i = string(bytes, i, n);
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      i = number(bytes, i, n);
    } else if (c === 0x74 /* t */) {
      i = literal(bytes, i, n, TRUE);
    } else if (c === 0x66 /* f */) {
      i = literal(bytes, i, n, FALSE);
    } else if (c === 0x6e /* n */) {
      i = literal(bytes, i, n, NULL);
    } else {
      return false;
    }
    if (i < 0) return false;
    // After a value: close containers, or go on with the next element or member.
    for (;;) {
      i = skipSpace(bytes, i, n);
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n;
      c = bytes[i] as number;
      if (c === 0x2c /* , */) {
        i = skipSpace(bytes, i + 1, n);
        if (top === 1) {
          if (keys !== undefined && stack.length === 1) keys.push(keyAt(bytes, i, n));
          i = member(bytes, i, n);
          if (i < 0) return false;
        }
        break;
      }
      if ((top === 1 && c === 0x7d) || (top === 2 && c === 0x5d)) {
        stack.pop();
        i++;
        continue;
      }
      return false;
    }
  }
}

/** The text of the string starting at `i` (without quotes), or '' when it is not one. */
function keyAt(bytes: Buffer, i: number, n: number): string {
  if (bytes[i] !== 0x22) return '';
  const end = string(bytes, i, n);
  return end < 0 ? '' : bytes.toString('utf8', i + 1, end - 1);
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function skipSpace(bytes: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** `"key" :` then whitespace; the index of the member's value, or -1. */
function member(bytes: Uint8Array, i: number, n: number): number {
  if (bytes[i] !== 0x22) return -1;
  i = string(bytes, i, n);
  if (i < 0) return -1;
  i = skipSpace(bytes, i, n);
  if (bytes[i] !== 0x3a /* : */) return -1;
  return skipSpace(bytes, i + 1, n);
}

function string(bytes: Uint8Array, i: number, n: number): number {
  i++;
  while (i < n) {
    const c = bytes[i] as number;
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c /* \ */) {
      const e = bytes[i + 1];
      if (e === 0x75 /* u */) {
        for (let k = 2; k < 6; k++) if (!isHex(bytes[i + k])) return -1;
        i += 6;
        continue;
      }
      if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

function digits(bytes: Uint8Array, i: number, n: number): number {
  const start = i;
  while (i < n && (bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x39) i++;
  return i === start ? -1 : i;
}

function number(bytes: Uint8Array, i: number, n: number): number {
  if (bytes[i] === 0x2d) i++;
  if (bytes[i] === 0x30) i++;
  else {
    i = digits(bytes, i, n);
    if (i < 0) return -1;
  }
  if (bytes[i] === 0x2e /* . */) {
    i = digits(bytes, i + 1, n);
    if (i < 0) return -1;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45 /* e E */) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
    i = digits(bytes, i, n);
  }
  return i;
}

function literal(bytes: Uint8Array, i: number, n: number, word: readonly number[]): number {
  if (i + word.length > n) return -1;
  for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word[k]) return -1;
  return i + word.length;
}

/** The type of a JSON text's top-level value. */
export type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/** The top-level type of bytes already known to be one JSON text (by its first byte). */
export function jsonTypeOfText(bytes: Buffer): JsonType {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  switch (bytes[i]) {
    case 0x7b /* { */:
      return 'object';
    case 0x5b /* [ */:
      return 'array';
    case 0x22 /* " */:
      return 'string';
    case 0x74 /* t */:
    case 0x66 /* f */:
      return 'boolean';
    case 0x6e /* n */:
      return 'null';
    default:
      return 'number';
  }
}
