import type { Exchange } from '../capture/exchange.js';
import type { Logger } from '../logging/logger.js';
import type { AuditMetrics } from '../metrics/metrics.js';
import { clip } from '../rules/masking.js';
import type { Finding, Severity } from '../rules/types.js';
import type { ViolationBuffer, ViolationRecord } from './violation-buffer.js';

/** The longest path a violation records (the log line must fit in 4,096 bytes). */
export const MAX_RECORDED_PATH = 512;

/** pino's level for each severity: error→50, warning→40, info→30. */
const LEVEL_OF: Readonly<Record<Severity, 'error' | 'warn' | 'info'>> = { error: 'error', warning: 'warn', info: 'info' };

/**
 * Where findings go: a counter, a log line and the recent-violations buffer, for each.
 * Findings arrive masked and bounded (the rule engine's FindingMasker); the path is cut here.
 */
export class FindingReporter {
  constructor(
    private readonly metrics: AuditMetrics,
    private readonly logger: Logger,
    private readonly buffer: ViolationBuffer,
  ) {}

  /**
   * @param methodLabel the bounded `method` label for metrics
   * @param routeLabel the bounded `route` label for metrics
   */
  report(exchange: Exchange, findings: readonly Finding[], methodLabel: string, routeLabel: string): void {
    for (const finding of findings) {
      this.metrics.violation(finding.rule, finding.severity, methodLabel, routeLabel);
      const fields = {
        rule: finding.rule,
        severity: finding.severity,
        method: exchange.method,
        host: clip(exchange.host, 255),
        path: clip(exchange.path, MAX_RECORDED_PATH),
        route: exchange.route,
        status: exchange.status,
        requestId: exchange.id,
        durationMs: exchange.durationMs,
        message: finding.message,
        evidence: finding.evidence,
      };
      this.buffer.push({ time: Date.now(), ...fields } satisfies ViolationRecord);
      this.logger[LEVEL_OF[finding.severity]](fields, 'violation');
    }
  }
}
