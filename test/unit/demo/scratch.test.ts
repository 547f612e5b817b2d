import { it } from 'vitest';
import { demoRoutes, startDemoBackend } from '../../../src/demo/demo-backend.js';
import { startAudit } from '../../helpers/audit.js';
import { request } from '../../helpers/servers.js';

it('scratch: findings per route under the default config', async () => {
  const demo = await startDemoBackend();
  const audit = await startAudit(demo.url);
  const out: string[] = [];
  for (const route of demoRoutes()) {
    for (const req of route.try ?? []) {
      const before = audit.exchanges.length;
      const r = await request(audit.url + req.path, { method: req.method, headers: req.headers, body: req.body });
      await audit.settled(before + 1);
      const id = audit.exchanges[before]!.id;
      const rules = audit.violationLines().filter((l) => l.requestId === id).map((l) => l.rule);
      out.push(`${route.rule ?? '(good)'} :: ${req.method} ${req.path} -> ${r.status} [${rules.join(', ')}]`);
    }
  }
  for (const [m, p] of [['HEAD', '/api/books'], ['OPTIONS', '/api/books'], ['GET', '/api/flawed/tags/101'], ['GET', '/api/flawed/archive'], ['HEAD', '/api/me']] as const) {
    const r = await request(audit.url + p, { method: m });
    out.push(`extra ${m} ${p} -> ${r.status} allow=${String(r.headers.allow)}`);
  }
  console.log(out.join('\n'));
  await audit.close();
  await demo.close();
});
