import type { Config } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { AuditPipeline } from '../pipeline/audit-pipeline.js';
import type { AuditReport} from './report.js';
import { type RecordedFinding } from './report.js';
import { sourceItems, type InputFormat, type SourceItem } from './sources.js';

/** Exchanges held back to be judged in the order they started (HAR exporters mostly write them so). */
export const REORDER_WINDOW = 256;

export interface AuditRunOptions {
  readonly file: string;
  readonly format: InputFormat | undefined;
  readonly follow: boolean;
  readonly config: Config;
  readonly pipeline: AuditPipeline;
  readonly report: AuditReport;
  /** Sets the clock of the pipeline's memory: the recorded time of the exchange judged next. */
  readonly setClock: (ms: number) => void;
  readonly logger: Logger;
  /** Each finding as it is found (text output streams them). */
  readonly onFinding?: (finding: RecordedFinding) => void;
  readonly signal?: AbortSignal;
}

type ExchangeItem = Extract<SourceItem, { kind: 'exchange' }>;

/**
 * Feeds an input through the audit pipeline: each exchange is judged with memory's clock at
 * its recorded start, so cross-exchange windows mean what they mean live. Without
 * `--follow`, a bounded window puts exchanges in start order first.
 */
export async function runAudit(options: AuditRunOptions): Promise<AuditReport> {
  const { pipeline, report, setClock } = options;
  const window: ExchangeItem[] = [];
  let clock = 0;
  const judge = (item: ExchangeItem): void => {
    const at = item.captured.startedAt;
    if (at > clock) clock = at;
    setClock(clock);
    report.entries++;
    const { exchange, findings } = pipeline.judge(item.captured, item.upstreamSeconds);
    if (findings.length === 0) return;
    for (const finding of report.add(exchange, findings, item.place)) options.onFinding?.(finding);
  };
  const items = sourceItems(options.file, { format: options.format, follow: options.follow, maxBodyBytes: options.config.inspect.maxBodyBytes, signal: options.signal });
  for await (const item of items) {
    if (item.kind === 'skipped') {
      report.skip(item.reason);
      options.logger.debug({ entry: item.place.entry, line: item.place.line, reason: item.reason }, 'entry skipped');
      continue;
    }
    if (options.follow) {
      judge(item);
      continue;
    }
    insertByStart(window, item);
    if (window.length > REORDER_WINDOW) judge(window.shift() as ExchangeItem);
  }
  for (const item of window) judge(item);
  return report;
}

/** Inserts after every item that started no later (stable for equal and unknown times). */
function insertByStart(window: ExchangeItem[], item: ExchangeItem): void {
  const at = item.captured.startedAt;
  let i = window.length;
  if (at !== 0) while (i > 0 && (window[i - 1] as ExchangeItem).captured.startedAt > at) i--;
  window.splice(i, 0, item);
}
