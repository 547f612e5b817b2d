/** A token of stream-json's parser (packed keys and numbers, streamed strings). */
export interface Token {
  readonly name: string;
  readonly value?: unknown;
}

interface Frame {
  readonly array: boolean;
  /** This container's key in its parent (a member name or an index). */
  readonly name: string | number | undefined;
  /** The member whose value comes next (objects). */
  key: string | undefined;
  /** The value being built: only inside `log.entries`. */
  readonly value: Record<string, unknown> | unknown[] | undefined;
}

/**
 * Builds each element of a HAR document's `log.entries` from the parser's tokens, and
 * nothing else of the document: what lies outside the entries is only walked. Strings are
 * cut at `maxStringChars` as they stream in, so one entry's size is bounded too.
 */
export class EntryAssembler {
  private readonly stack: Frame[] = [];
  /** Stack depth of the entries array while inside it, else -1. */
  private entriesDepth = -1;
  private index = 0;
  private parts: string[] = [];
  private held = 0;
  /** True once `log.entries` was found as an array. */
  found = false;
  /** Set when `log.entries` is there but not an array. */
  notAList = false;

  constructor(
    private readonly maxStringChars: number,
    private readonly emit: (index: number, value: unknown) => void,
  ) {}

  feed(token: Token): void {
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        this.open(token.name === 'startArray');
        return;
      case 'endObject':
      case 'endArray':
        this.close();
        return;
      case 'keyValue': {
        const top = this.stack[this.stack.length - 1];
        if (top !== undefined) top.key = token.value as string;
        return;
      }
      case 'startString':
        this.parts = [];
        this.held = 0;
        return;
      case 'stringChunk':
        if (this.entriesDepth !== -1 && this.held < this.maxStringChars) {
          const text = token.value as string;
          const part = this.held + text.length <= this.maxStringChars ? text : text.slice(0, this.maxStringChars - this.held);
          this.parts.push(part);
          this.held += part.length;
        }
        return;
      case 'endString':
        this.add(this.parts.length === 1 ? detach(this.parts[0] as string) : this.parts.join(''));
        this.parts = [];
        return;
      case 'numberValue':
        this.add(Number(token.value));
        return;
      case 'trueValue':
        this.add(true);
        return;
      case 'falseValue':
        this.add(false);
        return;
      case 'nullValue':
        this.add(null);
        return;
      default:
    }
  }

  private open(array: boolean): void {
    const parent = this.stack[this.stack.length - 1];
    const name = parent === undefined ? undefined : parent.array ? (parent.value as unknown[] | undefined)?.length : parent.key;
    const building = this.entriesDepth !== -1;
    this.stack.push({ array, name, key: undefined, value: building ? (array ? [] : {}) : undefined });
    if (building || this.stack.length !== 3) return;
    const [root, log, entries] = this.stack as [Frame, Frame, Frame];
    if (root.array || log.array || log.name !== 'log' || entries.name !== 'entries') return;
    if (!array) {
      this.notAList = true;
      return;
    }
    this.found = true;
    this.entriesDepth = 3;
  }

  private close(): void {
    const frame = this.stack.pop();
    if (frame === undefined) return;
    if (this.stack.length + 1 === this.entriesDepth) {
      this.entriesDepth = -1;
      return;
    }
    if (frame.value !== undefined) this.add(frame.value);
  }

  private add(value: unknown): void {
    if (this.entriesDepth === -1) return;
    if (this.stack.length === this.entriesDepth) {
      this.emit(this.index++, value);
      return;
    }
    const top = this.stack[this.stack.length - 1] as Frame;
    if (Array.isArray(top.value)) top.value.push(value);
    else if (top.value !== undefined && top.key !== undefined && top.key !== '__proto__') top.value[top.key] = value;
  }
}

/**
 * A copy of a string that shares nothing with the parser's input: the parser's values are
 * slices of its 64 KiB chunk, and one kept header value or URL would keep the whole chunk
 * alive (a finding's evidence, memory). V8 slices strings from 13 characters on.
 */
function detach(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}
