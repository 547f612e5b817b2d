import { BodyView } from '../capture/body-view.js';
import type { InspectionBudget } from '../capture/inspection-budget.js';
import type { Exchange } from '../capture/exchange.js';
import type { ExchangeMemory, JsonType, Lesson, Observed } from '../memory/exchange-memory.js';
import type { SpecCoverage } from '../spec/coverage.js';
import { SpecContext } from '../spec/spec-context.js';
import type { SpecPath } from '../spec/types.js';
import type { RuleEngine } from './engine.js';
import { locationPath } from './location.js';
import type { Finding, RuleContext } from './types.js';

/**
 * Judges exchanges in the order they happened, in two steps. At the response head the
 * cross-exchange rules read memory, then memory learns what the head tells (a DELETE's
 * lesson is known once its status is) and, when the request is complete, the type of its
 * JSON body: every exchange whose request arrives after this response is complete is
 * judged knowing it. Once the exchange is complete the single-exchange rules judge it.
 * Live traffic and recorded traffic (HAR) go through the same steps.
 */
export class Auditor {
  constructor(
    private readonly engine: RuleEngine,
    private readonly memory: ExchangeMemory,
    /** `host:port` of the upstream: a Location there is this origin too. */
    private readonly targetHost: string,
    private readonly maxDecodedBytes: number,
    /** Passes on lessons other processes need (cluster workers); absent in one process. */
    private readonly share?: (lesson: Lesson) => void,
    /** With a spec: what traffic has exercised of it. Without, no exchange is judged against one. */
    private readonly coverage?: SpecCoverage,
    /** Rations the JSON validity pass on large responses; absent: every body is scanned. */
    private readonly budget?: InspectionBudget,
  ) {}

  /**
   * Both steps at once: what recorded traffic does, where every exchange is complete.
   * @param specPath the spec's path item the exchange's path falls under (route resolution found it)
   */
  audit(exchange: Exchange, specPath?: SpecPath): Finding[] {
    return this.end(exchange, this.head(exchange, true), true, specPath);
  }

  /**
   * Passes the exchange's lesson on to other processes now, whatever this memory knows:
   * for an exchange whose judgement here must wait (cluster workers), so that its lesson
   * does not.
   */
  announce(exchange: Exchange, requestComplete: boolean): void {
    if (this.share === undefined) return;
    const context = this.context(exchange);
    this.share({ exchange: observed(exchange), head: true, location: this.location(exchange), bodyType: requestComplete ? acceptedBodyType(exchange.status, context) : undefined });
  }

  /**
   * The response head has arrived: judges the exchange against memory, then learns from it.
   * The response body may still be flowing; the cross-exchange rules read none.
   * @param requestComplete whether the request body has arrived whole (its type is learned now)
   * @param announced whether `announce` passed the lesson on already
   * @returns the cross-exchange findings, to report with the rest once the exchange is complete
   */
  head(exchange: Exchange, requestComplete: boolean, announced = false): Finding[] {
    const location = this.location(exchange);
    const context = this.context(exchange, location);
    const findings = this.engine.evaluateHead(exchange, context);
    let news = this.memory.recordHead(exchange, location);
    const bodyType = requestComplete ? acceptedBodyType(exchange.status, context) : undefined;
    if (bodyType !== undefined && this.memory.recordBodyType(exchange, bodyType)) news = true;
    if (news && !announced) this.share?.({ exchange: observed(exchange), head: true, location, bodyType });
    return findings;
  }

  /**
   * The exchange is complete: the single-exchange rules judge it (and memory learns the
   * type of a request body that was still arriving at the head).
   * @param atHead the findings `head` returned for this exchange
   * @param learned whether `head` saw the request complete (and learned its body type)
   * @param specPath the spec's path item the exchange's path falls under
   */
  end(exchange: Exchange, atHead: readonly Finding[], learned: boolean, specPath?: SpecPath): Finding[] {
    const shape = this.budget === undefined ? undefined : shapeOf(exchange);
    const scanResponse = shape === undefined || (this.budget as InspectionBudget).admit(shape, exchange.responseBody.size);
    const context = this.context(exchange, undefined, { path: specPath }, scanResponse);
    const findings = this.engine.evaluateEnd(exchange, context);
    if (shape !== undefined && context.response.knownValidity === 'invalid') this.budget?.foundInvalid(shape);
    if (context.spec !== undefined) this.cover(context.spec, exchange);
    const bodyType = learned ? undefined : acceptedBodyType(exchange.status, context);
    if (bodyType !== undefined && this.memory.recordBodyType(exchange, bodyType)) this.share?.({ exchange: observed(exchange), head: false, bodyType });
    if (atHead.length === 0) return findings;
    return findings.length === 0 ? [...atHead] : [...findings, ...atHead];
  }

  /**
   * Bytes arrived after a bodiless response was judged: the findings about them that the
   * exchange does not have yet.
   * @param fired what the exchange was found to violate already
   */
  late(exchange: Exchange, fired: readonly Finding[]): Finding[] {
    return this.engine.evaluateLate(exchange, this.context(exchange), fired);
  }

  private location(exchange: Exchange): string | undefined {
    return exchange.status === 201 ? locationPath(exchange, this.targetHost) : undefined;
  }

  /**
   * @param spec for the step that judges against the spec (`end`, with a spec): the path item
   */
  private context(exchange: Exchange, location?: string, spec?: { path: SpecPath | undefined }, scanResponse = true): RuleContext {
    const request = new BodyView(exchange.requestBody, exchange.requestHeaders, this.maxDecodedBytes);
    const specContext = this.coverage === undefined || spec === undefined ? undefined : new SpecContext(spec.path, exchange, request);
    return this.engine.context(request, new BodyView(exchange.responseBody, exchange.responseHeaders, this.maxDecodedBytes, scanResponse), location, specContext);
  }

  private cover(spec: SpecContext, exchange: Exchange): void {
    const coverage = this.coverage as SpecCoverage;
    if (spec.operation !== undefined) coverage.exercised(spec.operation, exchange.status);
    else if (spec.judged && exchange.status !== 404 && exchange.status !== 405) coverage.hitUndocumented(exchange.method, exchange.route, exchange.status);
  }
}

/** What the inspection budget counts responses by: method, route, status class, media type. */
function shapeOf(exchange: Exchange): string {
  const type = exchange.responseHeaders['content-type'] ?? '';
  const semicolon = type.indexOf(';');
  return `${exchange.method} ${exchange.route} ${Math.trunc(exchange.status / 100)} ${(semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase()}`;
}

function observed(exchange: Exchange): Observed {
  const { id, method, host, path, route, status, hasCredentials } = exchange;
  return { id, method, host, path, route, status, hasCredentials };
}

/** The top-level JSON type of a request body that was answered 2xx: what a route accepts. */
function acceptedBodyType(status: number, context: RuleContext): JsonType | undefined {
  if (status < 200 || status > 299 || context.request.copy.size === 0) return undefined;
  return context.request.jsonType();
}
