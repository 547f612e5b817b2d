import { BodyView } from '../capture/body-view.js';
import type { Exchange } from '../capture/exchange.js';
import type { ExchangeMemory, JsonType, Lesson } from '../memory/exchange-memory.js';
import type { RuleEngine } from './engine.js';
import { locationPath } from './location.js';
import type { Finding, RuleContext } from './types.js';

/**
 * Judges exchanges in the order they happened: the rules read memory, then memory learns
 * from the exchange. Live traffic and recorded traffic (HAR) go through the same steps.
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

  audit(exchange: Exchange): Finding[] {
    const location = exchange.status === 201 ? locationPath(exchange, this.targetHost) : undefined;
    const context = this.engine.context(
      new BodyView(exchange.requestBody, exchange.requestHeaders, this.maxDecodedBytes),
      new BodyView(exchange.responseBody, exchange.responseHeaders, this.maxDecodedBytes),
      location,
    );
    const findings = this.engine.evaluate(exchange, context);
    const bodyType = acceptedBodyType(exchange.status, context);
    if (this.memory.record(exchange, location, bodyType) && this.share !== undefined) {
      const { id, method, path, route, status, hasCredentials } = exchange;
      this.share({ exchange: { id, method, path, route, status, hasCredentials }, location, bodyType });
    }
    return findings;
  }
}

/** The top-level JSON type of a request body that was answered 2xx: what a route accepts. */
function acceptedBodyType(status: number, context: RuleContext): JsonType | undefined {
  if (status < 200 || status > 299 || context.request.copy.size === 0) return undefined;
  return context.request.jsonType();
}
