import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit, type RunningAudit } from '../helpers/audit.js';
import { startScriptedBackend, type Answer, type Script } from '../helpers/scripted-backend.js';
import { request, type Started } from '../helpers/servers.js';

const SECRETS = ['Bearer-SECRET-AAA111', 'SECRET-KEY-BBB222', 'SECRET-COOKIE-CCC333', 'SECRET-PROXY-DDD444', 'SECRET-CUSTOM-EEE555', 'hunter2-SECRET-FFF666', 'SECRET-SETCOOKIE-GGG777'];

describe('no credential value ever reaches a log line or /violations', () => {
  let backend: Started & { script: Script };
  let audit: RunningAudit;

  beforeAll(async () => {
    backend = await startScriptedBackend();
    audit = await startAudit(backend.url, { credentials: { headers: ['authorization', 'x-api-key', 'proxy-authorization', 'x-tenant-token'] } });
  });
  afterAll(async () => {
    await audit.close();
    await backend.close();
  });

  it('redacts headers and masks secret-looking members in evidence', async () => {
    const headers = {
      authorization: `Bearer ${SECRETS[0]}`,
      'x-api-key': SECRETS[1] as string,
      cookie: `session=${SECRETS[2]}; theme=dark`,
      'proxy-authorization': `Basic ${SECRETS[3]}`,
      'x-tenant-token': SECRETS[4] as string,
    };
    const leakyBody = JSON.stringify({ error: 'invalid password', password: SECRETS[5], token: SECRETS[0], stack: 'Error: boom\n    at handler (/srv/app.js:10:5)' });
    const answers: Answer[] = [
      { status: 201, headers: { 'content-type': 'application/json', 'set-cookie': `sid=${SECRETS[6]}` }, body: '{"id":1}' },
      { status: 500, headers: { 'content-type': 'application/json', 'set-cookie': `sid=${SECRETS[6]}` }, body: leakyBody },
      { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'bad token', authorization: headers.authorization }) },
      { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ success: false, apiKey: SECRETS[1], session: SECRETS[2] }) },
      { status: 200, headers: { 'content-type': 'application/json' }, body: `{"password": "${SECRETS[5]}", "note": "unterminated, api_key=${SECRETS[1]}` },
      { status: 403, headers: { 'content-type': 'text/plain' }, body: `denied: token=${SECRETS[4]}` },
    ];
    for (const [index, answer] of answers.entries()) {
      backend.script = () => answer;
      await request(`${audit.url}/things`, { method: index === 0 ? 'POST' : 'GET', headers, body: index === 0 ? `{"password":"${SECRETS[5]}"}` : undefined });
      // Anonymous too, so the auth rules judge it.
      await request(`${audit.url}/things`, { method: 'GET' });
    }
    await audit.settled(answers.length * 2);
    const violations = await audit.violations();
    expect(audit.violationLines().length).toBeGreaterThan(3);
    const everything = audit.raw() + JSON.stringify(violations);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  });
});
