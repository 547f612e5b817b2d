import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCurlLines } from '../../src/demo/demo-backend.js';
import { startScriptedBackend, type Script } from '../helpers/scripted-backend.js';
import { request, type Started } from '../helpers/servers.js';
import { serveCli, type Serving } from './cli-process.js';

/**
 * The live page in a real browser (Debian's chromium, driven by puppeteer-core) against the
 * built CLI: the embedded demo with the admin token set, and --workers 2 in front of a
 * backend whose answers carry markup.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  const reason = `no browser at ${CHROMIUM} (Debian package \`chromium\`; .ci/run installs it; CHROMIUM_PATH names another)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: required under CI=true`);
  console.warn(`skipping the browser tests of the live page: ${reason}`);
}

const TOKEN = 'page-test-token-42';
const XSS_BACKEND = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">';
const XSS_CLIENT = '{"note":"<script>window.__xss=3</script>\\"><img src=x onerror=window.__xss=4>",';

interface Shown {
  total: number;
  rows: Array<{ rule: string; severity: string; text: string }>;
  loaded: unknown;
}

/** What the page shows once it has drawn (it redraws on the next animation frame after a change). */
async function shown(page: Page): Promise<Shown> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
  return page.evaluate(() => ({
    total: Number(document.getElementById('total')?.textContent),
    rows: [...document.querySelectorAll('#list .violation')].map((row) => ({
      rule: row.querySelector('.head a')?.textContent ?? '',
      severity: row.querySelector('.head .sev')?.textContent ?? '',
      text: row.textContent ?? '',
    })),
    loaded: (window as unknown as { __loadedOnce?: unknown }).__loadedOnce,
  }));
}

/** A POST whose path goes on the wire as written (a URL object would percent-encode it). */
function rawPost(base: string, path: string, body: string): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function violationsTotal(adminUrl: string, headers: Record<string, string> = {}): Promise<number> {
  const text = (await request(`${adminUrl}/metrics`, { headers })).body.toString();
  return text.split('\n').filter((line) => line.startsWith('restaudit_violations_total{')).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe.skipIf(!available)('the live page in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe('the embedded demo, with the admin token', () => {
    let demo: Serving;
    beforeAll(async () => {
      demo = await serveCli([], { RESTAUDIT_ADMIN_TOKEN: TOKEN });
    });
    afterAll(async () => {
      await demo?.stop('SIGTERM');
    });

    it('asks for the token, and a wrong one does not open the page', async () => {
      for (const credentials of [undefined, { username: 'me', password: 'wrong' }, { username: TOKEN, password: '' }]) {
        const context = await browser.createBrowserContext();
        try {
          const page = await context.newPage();
          await page.authenticate(credentials ?? null);
          // Chromium shows the 401, or gives up asking for credentials: either way no page.
          const status = await page.goto(`${demo.adminUrl}/`).then(
            (response) => response?.status(),
            (error: Error) => (/ERR_INVALID_AUTH_CREDENTIALS/.test(error.message) ? 401 : error.message),
          );
          expect(status, JSON.stringify(credentials)).toBe(401);
          expect(await page.$('#status')).toBeNull();
        } finally {
          await context.close();
        }
      }
    });

    it("updates the counts and the list without a reload as the demo's curl lines run, and filters them", async () => {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ width: 1280, height: 1000 });
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(String(error)));
      page.on('console', (message) => message.type() === 'error' && failures.push(message.text()));
      try {
        await page.authenticate({ username: 'admin', password: TOKEN });
        expect((await page.goto(`${demo.adminUrl}/`))?.status()).toBe(200);
        await page.waitForSelector('#status.live');
        await page.evaluate(() => ((window as unknown as { __loadedOnce: number }).__loadedOnce = 1));
        expect((await shown(page)).total).toBe(0);

        for (const line of demoCurlLines(demo.proxyUrl)) execSync(line.replace(/\s+#.*$/, ''), { shell: '/bin/sh', stdio: 'ignore' });
        const expected = await violationsTotal(demo.adminUrl, { authorization: `Bearer ${TOKEN}` });
        expect(expected).toBeGreaterThanOrEqual(4);
        await page.waitForFunction((n: number) => Number(document.getElementById('total')?.textContent) === n && document.querySelectorAll('#list .violation').length === n, { timeout: 10_000 }, expected);
        const after = await shown(page);
        expect(after.loaded, 'the page was not reloaded').toBe(1);
        const rules = new Set(after.rows.map((row) => row.rule));
        expect([...rules]).toEqual(expect.arrayContaining(['post-200-without-location', 'created-without-location', 'server-error-on-bad-input', 'stack-trace-leak']));
        const byRule = await page.$$eval('#by-rule tr', (rows) => rows.map((row) => row.textContent ?? ''));
        expect(byRule.some((text) => text.startsWith('stack-trace-leak'))).toBe(true);

        if (process.env.RESTAUDIT_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.RESTAUDIT_SCREENSHOT, fullPage: false });

        // One more violation arrives while the page is open.
        execSync(`curl -s ${demo.proxyUrl}/api/flawed/billing`, { stdio: 'ignore' });
        await page.waitForFunction((n: number) => Number(document.getElementById('total')?.textContent) === n, { timeout: 10_000 }, expected + 1);

        await page.select('#f-rule', 'stack-trace-leak');
        let rows = (await shown(page)).rows;
        expect(rows.length).toBe(2);
        expect(rows.every((row) => row.rule === 'stack-trace-leak')).toBe(true);
        expect(page.url()).toContain('#rule=stack-trace-leak');

        await page.select('#f-rule', '');
        await page.select('#f-severity', 'error');
        rows = (await shown(page)).rows;
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => row.severity === 'error')).toBe(true);

        await page.select('#f-severity', '');
        await page.type('#f-text', 'invoices');
        await page.waitForFunction(() => document.querySelectorAll('#list .violation').length === 1);
        rows = (await shown(page)).rows;
        expect(rows[0]?.text).toContain('POST /api/flawed/invoices');

        // A click on a count filters by it; the rule links to its page.
        await page.$eval('#f-text', (input) => ((input as HTMLInputElement).value = ''));
        await page.$eval('#f-text', (input) => input.dispatchEvent(new Event('input')));
        const route = await page.$$eval('#by-route tr', (trs) => (trs[0] as HTMLElement).dataset.key ?? '');
        await page.click('#by-route tr');
        rows = (await shown(page)).rows;
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => row.text.includes(`route ${route}`))).toBe(true);
        const href = await page.$eval('#list .violation .head a', (a) => (a).href);
        expect(href).toMatch(new RegExp(`^${demo.adminUrl}/rules/[a-z-]+$`));
        expect((await page.goto(href))?.status()).toBe(200);

        // A rule page links to the live page filtered by its rule (the filters live in the URL).
        await page.goto(`${demo.adminUrl}/rules/stack-trace-leak`);
        await Promise.all([page.waitForNavigation(), page.click('a[href="/#rule=stack-trace-leak"]')]);
        await page.waitForFunction(() => document.querySelectorAll('#list .violation').length === 2);
        expect((await shown(page)).rows.every((row) => row.rule === 'stack-trace-leak')).toBe(true);
        expect(await page.$eval('#f-rule', (select) => (select as HTMLSelectElement).value)).toBe('stack-trace-leak');
        expect(failures).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  });

  describe('--workers 2 in front of a backend whose answers carry markup', () => {
    let backend: Started & { script: Script };
    let serving: Serving;
    beforeAll(async () => {
      backend = await startScriptedBackend(() => ({ status: 500, headers: { 'content-type': 'application/json' }, body: XSS_BACKEND }));
      serving = await serveCli(['--target', backend.url, '--workers', '2']);
    });
    afterAll(async () => {
      await serving?.stop('SIGTERM');
      await backend?.close();
    });

    it('shows evidence holding <script> and "><img onerror=...> as text, live, from both workers', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${serving.adminUrl}/`);
        await page.waitForSelector('#status.live');
        // New connections go to the workers in turn: both workers see traffic.
        for (let i = 0; i < 4; i++) {
          await rawPost(serving.proxyUrl, '/notes/"><img/src=x/onerror=window.__xss=5>', XSS_CLIENT);
        }
        await page.waitForFunction(() => document.querySelectorAll('#list .violation').length === 8, { timeout: 10_000 });
        const result = await page.evaluate(() => ({
          xss: (window as unknown as { __xss?: unknown }).__xss,
          injected: document.querySelectorAll('#list img, #list script, img').length,
          evidence: [...document.querySelectorAll('#list pre')].map((pre) => pre.textContent ?? ''),
          heads: [...document.querySelectorAll('#list .head')].map((head) => head.textContent ?? ''),
          total: Number(document.getElementById('total')?.textContent),
        }));
        expect(result.xss).toBeUndefined();
        expect(result.injected).toBe(0);
        expect(result.total).toBe(8);
        expect(result.evidence.some((text) => text.includes('<script>window.__xss=1</script>\\"><img src=x onerror=\\"window.__xss=2\\">'))).toBe(true);
        expect(result.evidence.some((text) => text.includes('<script>window.__xss=3</script>'))).toBe(true);
        expect(result.heads.some((text) => text.includes('/notes/"><img/src=x/onerror=window.__xss=5>'))).toBe(true);
        const pids = new Set(serving.lines.filter((line) => line.msg === 'violation').map((line) => line.pid));
        expect(pids.size).toBe(2);
      } finally {
        await page.close();
      }
    }, 60_000);
  });
});
