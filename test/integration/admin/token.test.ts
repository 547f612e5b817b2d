import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit, type RunningAudit } from '../../helpers/audit.js';
import { json, startScriptedBackend, type Script } from '../../helpers/scripted-backend.js';
import { request, type Started } from '../../helpers/servers.js';

const TOKEN = 'adm1n-T0ken_value';
const PATHS = ['/', '/metrics', '/readyz', '/violations', '/events', '/rules', '/rules/created-without-location', '/runbooks', '/runbooks/RestauditDown', '/nowhere'];

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('admin token', () => {
  let backend: Started & { script: Script };
  let audit: RunningAudit;

  beforeAll(async () => {
    backend = await startScriptedBackend(() => json(201, { id: 1 }));
    audit = await startAudit(backend.url, { adminToken: TOKEN });
  });
  afterAll(async () => {
    await audit?.close();
    await backend?.close();
  });

  it.each(PATHS)('%s answers 401 with Basic and Bearer challenges without the token', async (path) => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, basic('admin', 'nope'), basic(TOKEN, ''), `Digest ${TOKEN}`, 'Basic !!!', `Bearer`]) {
      const response = await request(`${audit.adminUrl}${path}`, { headers: authorization === undefined ? {} : { authorization } });
      expect(response.status, `${path} with ${authorization}`).toBe(401);
      expect(response.headers['www-authenticate']).toEqual(expect.stringMatching(/^Basic realm="restaudit admin"/));
      expect(response.body.toString()).not.toContain(TOKEN);
    }
  });

  it.each(PATHS.filter((path) => path !== '/events'))('%s answers with the token, as Bearer or as the Basic password', async (path) => {
    for (const authorization of [`Bearer ${TOKEN}`, basic('admin', TOKEN), basic('', TOKEN)]) {
      const response = await request(`${audit.adminUrl}${path}`, { headers: { authorization } });
      expect(response.status, `${path} with ${authorization}`).toBe(path === '/nowhere' ? 404 : 200);
    }
  });

  it('lets /healthz answer without the token, and never logs the token', async () => {
    expect((await request(`${audit.adminUrl}/healthz`)).status).toBe(200);
    await request(`${audit.url}/orders`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    await audit.settled(1);
    expect(audit.raw()).not.toContain(TOKEN);
  });
});
