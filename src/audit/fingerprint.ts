import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_CODES, RestauditError } from '../errors.js';
import { errnoWords } from '../errno-words.js';

/** What makes two findings the same finding across runs: the rule, the method, the route and the host. */
export interface FingerprintParts {
  readonly rule: string;
  readonly method: string;
  readonly route: string;
  readonly host: string;
}

/** A stable fingerprint: the first 32 hex digits of SHA-256 over the four parts. */
export function fingerprintOf({ rule, method, route, host }: FingerprintParts): string {
  return createHash('sha256').update(`${rule}\n${method}\n${route}\n${host}`).digest('hex').slice(0, 32);
}

interface BaselineFile {
  readonly restauditBaseline: 1;
  readonly findings: ReadonlyArray<FingerprintParts & { readonly fingerprint: string }>;
}

/** Writes the fingerprints of a run's findings, sorted, one object each (diffs stay readable). */
export function writeBaseline(file: string, findings: Iterable<FingerprintParts & { readonly fingerprint: string }>): void {
  const list = [...findings]
    .map(({ fingerprint, rule, method, route, host }) => ({ fingerprint, rule, method, route, host }))
    .sort((a, b) => a.rule.localeCompare(b.rule) || a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.host.localeCompare(b.host));
  const body: BaselineFile = { restauditBaseline: 1, findings: list };
  try {
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  } catch (error) {
    throw new RestauditError(ERROR_CODES.input, [`--write-baseline ${file}: ${errnoWords(error)}`]);
  }
}

/** The fingerprints a baseline file holds; exit-2 problems name the file. */
export function readBaseline(file: string): ReadonlySet<string> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `not valid JSON (${error.message})` : errnoWords(error);
    throw new RestauditError(ERROR_CODES.input, [`--baseline ${file}: ${reason}`]);
  }
  const findings = (value as Partial<BaselineFile> | null)?.findings;
  if ((value as Partial<BaselineFile> | null)?.restauditBaseline !== 1 || !Array.isArray(findings)) {
    throw new RestauditError(ERROR_CODES.input, [`--baseline ${file}: not a restaudit baseline (write one with --write-baseline)`]);
  }
  const fingerprints = new Set<string>();
  for (const finding of findings as unknown[]) {
    const parts = finding as Partial<FingerprintParts> | null;
    // Recomputed from the parts: a baseline edited by hand stays consistent.
    if (typeof parts?.rule === 'string' && typeof parts.method === 'string' && typeof parts.route === 'string' && typeof parts.host === 'string') {
      fingerprints.add(fingerprintOf(parts as FingerprintParts));
    }
  }
  return fingerprints;
}
