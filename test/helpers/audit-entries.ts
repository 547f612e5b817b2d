import { Writable } from 'node:stream';
import { harExchange, type HarEntry } from '../../src/capture/har-entry.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { createAuditPipeline } from '../../src/pipeline/audit-pipeline.js';
import type { Finding } from '../../src/rules/types.js';
import type { CompiledSpec } from '../../src/spec/compile-spec.js';

/** HAR entries through the audit pipeline, in order, as `restaudit audit` judges them: every finding with its route. */
export function auditEntries(entries: readonly HarEntry[], config: Config, spec?: CompiledSpec): Array<Finding & { route: string }> {
  const destination = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger({ level: 'silent', credentialHeaders: config.credentials.headers, destination });
  const pipeline = createAuditPipeline(config, { logger, processMetrics: false, now: () => 0, targetHost: '', spec });
  const findings: Array<Finding & { route: string }> = [];
  entries.forEach((entry, index) => {
    const captured = harExchange(entry, `har-${index}`, config.inspect.maxBodyBytes);
    if (captured === undefined) return;
    const { exchange, findings: found } = pipeline.judge(captured, undefined);
    for (const finding of found) findings.push({ ...finding, route: exchange.route });
  });
  return findings;
}
