/** What POSIX guarantees a single pipe write to be atomic up to: no log line is longer. */
export const MAX_LINE_BYTES = 4096;

/** Below this many characters a line cannot exceed MAX_LINE_BYTES (3 bytes per UTF-16 unit at most). */
const SURELY_SHORT = Math.floor(MAX_LINE_BYTES / 3);
const MAX_ROUNDS = 12;

/**
 * A serialised log line cut to fit MAX_LINE_BYTES, never dropped: the longest string
 * fields (evidence, message, path, ...) are shortened until the line fits, and the line
 * says `truncated: true`. Lines that fit are returned as they are (the common case costs
 * a length check).
 */
export function fitLine(line: string): string {
  if (line.length <= SURELY_SHORT || Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
  const newline = line.endsWith('\n');
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return cutBytes(line, MAX_LINE_BYTES - 2) + (newline ? '\n' : '');
  }
  value.truncated = true;
  let text = JSON.stringify(value);
  for (let round = 0; round < MAX_ROUNDS && Buffer.byteLength(text) + 1 > MAX_LINE_BYTES; round++) {
    const over = Buffer.byteLength(text) + 1 - MAX_LINE_BYTES;
    const longest = longestString(value);
    if (longest === undefined) break;
    const { key, length } = longest;
    const holder = longest.holder as Record<string | number, unknown>;
    // Cut just enough when little is over; otherwise halve the longest and look again.
    const keep = Math.max(Math.floor(length / 2), length - over - 8);
    holder[key] = `${(holder[key] as string).slice(0, keep)}…`;
    text = JSON.stringify(value);
  }
  if (Buffer.byteLength(text) + 1 > MAX_LINE_BYTES) {
    // Still too long (a great many short fields): keep the line's identity, drop the detail.
    const { level, time, pid, msg, rule, requestId } = value;
    text = JSON.stringify({ level, time, pid, msg, rule, requestId, truncated: true, detail: cutBytes(text, 2048) });
  }
  return newline ? `${text}\n` : text;
}

interface Found {
  readonly holder: Record<string, unknown> | unknown[];
  readonly key: string | number;
  readonly length: number;
}

function longestString(value: unknown, depth = 0, best?: Found): Found | undefined {
  if (value === null || typeof value !== 'object' || depth > 20) return best;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [key, member] of entries) {
    if (typeof member === 'string') {
      if (member.length > 16 && (best === undefined || member.length > best.length)) best = { holder: value as Record<string, unknown>, key, length: member.length };
    } else best = longestString(member, depth + 1, best);
  }
  return best;
}

function cutBytes(text: string, max: number): string {
  let cut = text.slice(0, max);
  while (Buffer.byteLength(cut) > max) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return cut;
}
