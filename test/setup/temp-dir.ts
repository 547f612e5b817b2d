import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary file of a test run (configs, specs, HAR files, nginx and FastAPI state)
 * goes under one directory, removed when the run ends: test files create theirs with
 * `mkdtempSync(join(tmpdir(), ...))`, and the test processes inherit this TMPDIR.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-test-run-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
