import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/servers.js';
import { runCli, serveCli } from './cli-process.js';

const TOKEN = 'w0rkers-admin-token';

describe('the admin token, as the CLI takes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restaudit-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('RESTAUDIT_ADMIN_TOKEN protects the primary\'s admin port under --workers 2, and is never printed', async () => {
    const serving = await serveCli(['--workers', '2'], { RESTAUDIT_ADMIN_TOKEN: TOKEN });
    try {
      expect((await request(`${serving.adminUrl}/metrics`)).status).toBe(401);
      expect((await request(`${serving.adminUrl}/violations`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      expect((await request(`${serving.adminUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await request(`${serving.adminUrl}/healthz`)).status).toBe(200);
    } finally {
      await serving.stop('SIGTERM');
    }
    expect(serving.stdout() + serving.stderr()).not.toContain(TOKEN);
  });

  it('adminToken in a config file: a wrong type or a space exits 2 naming the key, never the value', async () => {
    for (const [value, problem] of [['12345678', 'adminToken: expected string'], ['"two words"', 'adminToken: expected printable ASCII without spaces']] as const) {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, `adminToken: ${value}\n`);
      const result = await runCli(['check-config', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).not.toContain(value.replaceAll('"', ''));
    }
  });
});
