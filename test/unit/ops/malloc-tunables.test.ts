import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MALLOC_TUNABLES, withMallocTunables } from '../../../src/malloc-tunables.js';

describe("restaudit's allocator settings (GLIBC_TUNABLES)", () => {
  it('are the same in the image, in npm start and in the code that starts workers', () => {
    expect(readFileSync('Dockerfile', 'utf8')).toContain(`GLIBC_TUNABLES=${MALLOC_TUNABLES}`);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toContain(`GLIBC_TUNABLES=\${GLIBC_TUNABLES-${MALLOC_TUNABLES}}`);
  });

  it("yield to an operator's own", () => {
    expect(withMallocTunables({ A: '1' })).toEqual({ A: '1', GLIBC_TUNABLES: MALLOC_TUNABLES });
    expect(withMallocTunables({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' });
  });
});
