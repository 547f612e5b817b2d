import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Set once the run's directory exists: vitest runs a global setup once per project. */
const MARK = 'RESTAUDIT_TEST_TMPDIR';

/**
 * Every temporary file of a test run (configs, specs, HAR files, nginx and FastAPI state)
 * goes under one directory, removed when the run ends: test files create theirs with
 * `mkdtempSync(join(tmpdir(), ...))`, and the test processes inherit this TMPDIR. It stays
 * one level deep: Unix socket paths (nginx's, Chromium's) must stay under 108 bytes.
 */
export default function setup(): (() => void) | undefined {
  if (process.env[MARK] !== undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-test-run-'));
  process.env[MARK] = dir;
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
