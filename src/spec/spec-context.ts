import type { BodyView } from '../capture/body-view.js';
import type { Exchange } from '../capture/exchange.js';
import type { SchemaViolation, SpecMedia, SpecOperation, SpecPath, SpecResponse } from './types.js';

/** A request body's violation of its documented schema, with where that schema is. */
export interface RequestViolation extends SchemaViolation {
  /** The documented media range the body was judged under. */
  readonly mediaType: string;
  /** Where the schema is in the spec; undefined for a required body that is missing. */
  readonly schema: string | undefined;
}

/**
 * What the spec says about one exchange, worked out once and only when a rule asks: the
 * operation, the documented response for its status, the request body's verdict.
 */
export class SpecContext {
  /** The documented operation; undefined when the method+path matches none. */
  readonly operation: SpecOperation | undefined;
  /** False where the spec cannot be asked: OPTIONS that the document does not describe (CORS preflights). */
  readonly judged: boolean;
  private requestVerdict: RequestViolation | null | undefined;

  constructor(
    readonly path: SpecPath | undefined,
    private readonly exchange: Exchange,
    private readonly request: BodyView,
  ) {
    const operations = path?.operations;
    // A HEAD where the document has only GET is that GET (RFC 9110 §9.3.2; most frameworks
    // answer it), unless the server refused it: then it is no operation (head-not-supported's).
    const headAsGet = exchange.method === 'HEAD' && exchange.status !== 405 && exchange.status !== 501;
    this.operation = operations?.get(exchange.method) ?? (headAsGet ? operations?.get('GET') : undefined);
    this.judged = this.operation !== undefined || exchange.method !== 'OPTIONS';
  }

  /** The response documented for the status: exact, else its range (`4XX`), else `default`. */
  response(): SpecResponse | undefined {
    const responses = this.operation?.responses;
    if (responses === undefined) return undefined;
    const status = this.exchange.status;
    return responses.get(String(status)) ?? responses.get(`${Math.trunc(status / 100)}XX`) ?? responses.get('default');
  }

  /**
   * The request body's violation of the documented request schema, computed once. Not
   * judged (undefined): no documented body; a truncated copy; no Content-Type or one the
   * operation does not document (the document cannot say which schema applies); a body
   * that is not JSON or does not parse (the JSON rules' concern).
   */
  requestViolation(): RequestViolation | undefined {
    if (this.requestVerdict === undefined) this.requestVerdict = this.judgeRequest() ?? null;
    return this.requestVerdict ?? undefined;
  }

  private judgeRequest(): RequestViolation | undefined {
    const body = this.operation?.requestBody;
    if (body === undefined) return undefined;
    const copy = this.request.copy;
    if (copy.size === 0) {
      return body.required ? { pointer: '', keyword: 'required', detail: 'the request body is required', mediaType: '', schema: undefined } : undefined;
    }
    if (copy.truncated || !this.request.declaredJson) return undefined;
    const media = findMedia(body.media, this.request.mediaType);
    if (media?.check === undefined) return undefined;
    const parsed = this.request.json();
    if (parsed.kind !== 'json') return undefined;
    const violation = media.check(parsed.value);
    return violation === undefined ? undefined : { ...violation, mediaType: media.range, schema: media.schemaPointer };
  }
}

/** The documented media range a media type falls under: exact, else `type/*`, else `*\/*`. */
export function findMedia(media: readonly SpecMedia[], mediaType: string): SpecMedia | undefined {
  if (mediaType === '') return undefined;
  let wildcard: SpecMedia | undefined;
  let any: SpecMedia | undefined;
  const slash = mediaType.indexOf('/');
  const typeRange = `${mediaType.slice(0, slash)}/*`;
  for (const each of media) {
    if (each.range === mediaType) return each;
    if (each.range === typeRange) wildcard = each;
    else if (each.range === '*/*') any = each;
  }
  return wildcard ?? any;
}
