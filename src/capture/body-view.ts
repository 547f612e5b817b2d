import { brotliDecompressSync, constants, gunzipSync, inflateSync, inflateRawSync } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import type { BodyCopy } from './body-copy.js';
import { jsonTypeOfText, scanJson, type JsonType } from './json-check.js';

/** What a body holds when read as JSON. */
export type JsonBody =
  /** No bytes at all. */
  | { readonly kind: 'empty' }
  /** Not judgeable: the copy is truncated, or its Content-Encoding could not be undone. */
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly error: string }
  | { readonly kind: 'json'; readonly value: unknown };

const EMPTY: JsonBody = { kind: 'empty' };
const NO_KEYS: readonly string[] = [];
const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Decoded views of one body copy, each computed at most once and only when a rule asks:
 * an exchange no rule reads is never decompressed nor parsed.
 */
export class BodyView {
  private decoded: Buffer | undefined;
  private decodeError: string | undefined;
  private textValue: string | undefined;
  private jsonValue: JsonBody | undefined;
  private validity: 'empty' | 'unreadable' | 'valid' | 'invalid' | undefined;
  private keys: string[] | undefined;

  constructor(
    readonly copy: BodyCopy,
    private readonly headers: IncomingHttpHeaders,
    private readonly maxDecodedBytes: number,
    /** False when the inspection budget sampled this body out: the validity pass skips it. */
    private readonly scanned = true,
  ) {}

  /** What the validity pass found, if it ran; never runs it. */
  get knownValidity(): 'empty' | 'unreadable' | 'valid' | 'invalid' | undefined {
    return this.validity;
  }

  /** The media type of Content-Type, lower-cased, without parameters; `''` when absent. */
  get mediaType(): string {
    return mediaTypeOf(this.headers['content-type']);
  }

  /** True when Content-Type declares JSON (`application/json` or any `+json`). */
  get declaredJson(): boolean {
    const type = this.headers['content-type'];
    return type !== undefined && JSON_MEDIA.test(type);
  }

  /** The body with Content-Encoding undone; undefined when it cannot be undone. */
  bytes(): Buffer | undefined {
    if (this.decoded === undefined && this.decodeError === undefined) this.decode();
    return this.decoded;
  }

  /** The decoded body as UTF-8 text (a prefix of it when the copy is truncated). */
  text(): string | undefined {
    if (this.textValue === undefined) {
      const bytes = this.bytes();
      if (bytes === undefined) return undefined;
      this.textValue = bytes.toString('utf8');
    }
    return this.textValue;
  }

  /**
   * Whether the body is one JSON text, decided without building its values: the cheap
   * question for rules that only need to know (`json()` parses).
   */
  jsonValidity(): 'empty' | 'unreadable' | 'valid' | 'invalid' {
    if (this.validity === undefined) this.scan();
    return this.validity as 'empty' | 'unreadable' | 'valid' | 'invalid';
  }

  /** The top-level JSON type of the body, found without parsing it; undefined unless it is one JSON text. */
  jsonType(): JsonType | undefined {
    if (this.jsonValidity() !== 'valid') return undefined;
    return jsonTypeOfText(this.bytes() as Buffer);
  }

  /** The member names of a top-level JSON object (as written), found in the same scan. */
  topLevelKeys(): readonly string[] {
    if (this.validity === undefined) this.scan();
    return this.keys ?? NO_KEYS;
  }

  private scan(): void {
    if (this.jsonValue !== undefined) {
      // Parsed already (a schema needed the value): the parse answers what the scan would.
      this.fromParse(this.jsonValue);
      return;
    }
    if (this.copy.size === 0) this.validity = 'empty';
    else if (this.copy.truncated || !this.scanned) this.validity = 'unreadable';
    else {
      const bytes = this.bytes();
      if (bytes === undefined) this.validity = 'unreadable';
      else {
        const keys: string[] = [];
        if (scanJson(bytes, keys)) {
          this.validity = 'valid';
          this.keys = keys;
        } else this.validity = isBlank(bytes) ? 'empty' : 'invalid';
      }
    }
  }

  private fromParse(body: JsonBody): void {
    this.validity = body.kind === 'json' ? 'valid' : body.kind === 'invalid' ? 'invalid' : body.kind === 'empty' ? 'empty' : 'unreadable';
    if (body.kind === 'json' && body.value !== null && typeof body.value === 'object' && !Array.isArray(body.value)) this.keys = Object.keys(body.value);
  }

  /** The body parsed as JSON, whatever its Content-Type says. */
  json(): JsonBody {
    if (this.jsonValue === undefined) this.jsonValue = this.parse();
    return this.jsonValue;
  }

  private parse(): JsonBody {
    if (this.copy.size === 0) return EMPTY;
    if (this.copy.truncated) return { kind: 'unreadable', reason: 'truncated' };
    const text = this.text();
    if (text === undefined) return { kind: 'unreadable', reason: this.decodeError ?? 'undecodable' };
    if (text.trim() === '') return EMPTY;
    try {
      return { kind: 'json', value: JSON.parse(text) as unknown };
    } catch (error) {
      return { kind: 'invalid', error: (error as Error).message };
    }
  }

  private decode(): void {
    const raw = this.copy.bytes;
    const encoding = (headerValue(this.headers['content-encoding']) ?? 'identity').trim().toLowerCase();
    if (encoding === '' || encoding === 'identity' || raw.length === 0) {
      this.decoded = raw;
      return;
    }
    // A truncated copy decodes as far as it goes; a whole one must decode completely.
    const options = {
      maxOutputLength: this.maxDecodedBytes,
      finishFlush: this.copy.truncated ? constants.Z_SYNC_FLUSH : constants.Z_FINISH,
    };
    try {
      switch (encoding) {
        case 'gzip':
        case 'x-gzip':
          this.decoded = gunzipSync(raw, options);
          break;
        case 'deflate':
          this.decoded = inflateDeflate(raw, options);
          break;
        case 'br':
          this.decoded = brotliDecompressSync(raw, {
            maxOutputLength: this.maxDecodedBytes,
            finishFlush: this.copy.truncated ? constants.BROTLI_OPERATION_FLUSH : constants.BROTLI_OPERATION_FINISH,
          });
          break;
        default:
          this.decodeError = `unsupported content-encoding ${encoding}`;
      }
    } catch (error) {
      this.decodeError = `content-encoding ${encoding}: ${(error as Error).message}`;
    }
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const c of bytes) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  return true;
}

/** `deflate` means zlib-wrapped deflate, but servers often send raw deflate: accept both. */
function inflateDeflate(raw: Buffer, options: { maxOutputLength: number; finishFlush: number }): Buffer {
  try {
    return inflateSync(raw, options);
  } catch {
    return inflateRawSync(raw, options);
  }
}

/** The first value of a header that Node may have parsed as a list. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | string[] | undefined): string {
  const value = headerValue(contentType);
  if (value === undefined) return '';
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}
