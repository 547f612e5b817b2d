import { clip, maskEvidence, maskText } from './masking.js';
import type { Evidence, Finding, Severity, Verdict } from './types.js';

/** The longest message a recorded finding carries. */
export const MAX_MESSAGE_CHARS = 600;

/** Headers whose values are secrets whatever they are called elsewhere. */
const ALWAYS_SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

/**
 * Turns a rule's verdict into a finding fit to be recorded anywhere: the message and the
 * evidence masked (secret-named members and headers, credentials by their form, secret
 * query parameters of any URL quoted) and bounded in size. Runs once per finding, never per
 * exchange.
 */
export class FindingMasker {
  private readonly extra: ReadonlySet<string>;

  /** @param credentialHeaders the configured credential headers: secrets by name too */
  constructor(credentialHeaders: readonly string[]) {
    this.extra = new Set([...ALWAYS_SECRET_HEADERS, ...credentialHeaders.map((name) => name.toLowerCase())]);
  }

  mask(rule: string, severity: Severity, verdict: Verdict): Finding {
    return {
      rule,
      severity,
      message: clip(maskText(verdict.message, this.extra), MAX_MESSAGE_CHARS),
      evidence: maskEvidence(verdict.evidence, this.extra) as Evidence,
    };
  }
}
