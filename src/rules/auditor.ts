import { BodyView } from '../capture/body-view.js';
import type { Exchange } from '../capture/exchange.js';
import type { ExchangeMemory, JsonType, Lesson, Observed } from '../memory/exchange-memory.js';
import type { RuleEngine } from './engine.js';
import { locationPath } from './location.js';
import type { Finding, RuleContext } from './types.js';

/**
 * Judges exchanges in the order they happened, in two steps. At the response head the
 * cross-exchange rules read memory, then memory learns what the head tells (a DELETE's
 * lesson is known once its status is): every exchange whose request arrives after this
 * response is complete is judged knowing it. Once the exchange is complete the
 * single-exchange rules judge it, and memory learns the request body's type. Live traffic
 * and recorded traffic (HAR) go through the same steps.
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
  ) {}

  /** Both steps at once: what recorded traffic does, where every exchange is complete. */
  audit(exchange: Exchange): Finding[] {
    return this.end(exchange, this.head(exchange));
  }

  /**
   * The response head has arrived: judges the exchange against memory, then learns from it.
   * The body copies may still be filling; the cross-exchange rules read none.
   * @returns the cross-exchange findings, to report with the rest once the exchange is complete
   */
  head(exchange: Exchange): Finding[] {
    const location = exchange.status === 201 ? locationPath(exchange, this.targetHost) : undefined;
    const findings = this.engine.evaluateHead(exchange, this.context(exchange, location));
    if (this.memory.recordHead(exchange, location)) this.share?.({ exchange: observed(exchange), location });
    return findings;
  }

  /**
   * The exchange is complete: the single-exchange rules judge it, then memory learns the
   * type of a request body the route accepted.
   * @param atHead the findings `head` returned for this exchange
   */
  end(exchange: Exchange, atHead: readonly Finding[]): Finding[] {
    const context = this.context(exchange, undefined);
    const findings = this.engine.evaluateEnd(exchange, context);
    const bodyType = acceptedBodyType(exchange.status, context);
    if (bodyType !== undefined && this.memory.recordBodyType(exchange, bodyType)) this.share?.({ exchange: observed(exchange), bodyType });
    if (atHead.length === 0) return findings;
    return findings.length === 0 ? [...atHead] : [...findings, ...atHead];
  }

  /**
   * Bytes arrived after a bodiless response was judged: the findings about them that the
   * exchange does not have yet.
   * @param fired what the exchange was found to violate already
   */
  late(exchange: Exchange, fired: readonly Finding[]): Finding[] {
    return this.engine.evaluateLate(exchange, this.context(exchange, undefined), fired);
  }

  private context(exchange: Exchange, location: string | undefined): RuleContext {
    return this.engine.context(
      new BodyView(exchange.requestBody, exchange.requestHeaders, this.maxDecodedBytes),
      new BodyView(exchange.responseBody, exchange.responseHeaders, this.maxDecodedBytes),
      location,
    );
  }
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
