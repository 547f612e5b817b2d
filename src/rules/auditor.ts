import { BodyView } from '../capture/body-view.js';
import type { Exchange } from '../capture/exchange.js';
import type { ExchangeMemory, JsonType, Lesson } from '../memory/exchange-memory.js';
import type { SpecCoverage } from '../spec/coverage.js';
import { SpecContext } from '../spec/spec-context.js';
import type { SpecPath } from '../spec/types.js';
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
    /** With a spec: what traffic has exercised of it. Without, no exchange is judged against one. */
    private readonly coverage?: SpecCoverage,
  ) {}

  /**
   * @param specPath the spec's path item the exchange's path falls under (route resolution found it)
   */
  audit(exchange: Exchange, specPath?: SpecPath): Finding[] {
    const location = exchange.status === 201 ? locationPath(exchange, this.targetHost) : undefined;
    const request = new BodyView(exchange.requestBody, exchange.requestHeaders, this.maxDecodedBytes);
    const spec = this.coverage === undefined ? undefined : new SpecContext(specPath, exchange, request);
    const context = this.engine.context(request, new BodyView(exchange.responseBody, exchange.responseHeaders, this.maxDecodedBytes), location, spec);
    const findings = this.engine.evaluate(exchange, context);
    if (spec !== undefined) this.cover(spec, exchange);
    const bodyType = acceptedBodyType(exchange.status, context);
    if (this.memory.record(exchange, location, bodyType) && this.share !== undefined) {
      const { id, method, path, route, status, hasCredentials } = exchange;
      this.share({ exchange: { id, method, path, route, status, hasCredentials }, location, bodyType });
    }
    return findings;
  }

  private cover(spec: SpecContext, exchange: Exchange): void {
    const coverage = this.coverage as SpecCoverage;
    if (spec.operation !== undefined) coverage.exercised(spec.operation, exchange.status);
    else if (spec.judged && exchange.status !== 404 && exchange.status !== 405) coverage.hitUndocumented(exchange.method, exchange.route, exchange.status);
  }
}

/** The top-level JSON type of a request body that was answered 2xx: what a route accepts. */
function acceptedBodyType(status: number, context: RuleContext): JsonType | undefined {
  if (status < 200 || status > 299 || context.request.copy.size === 0) return undefined;
  return context.request.jsonType();
}
