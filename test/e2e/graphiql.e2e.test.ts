/**
 * GraphiQL in headless Chromium against the real service: the page loads with no request
 * leaving this host, opens on the example queries, runs the first one and shows pid 1.
 */
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from '../../src/service/service.js';
import { skipUnless } from '../helpers/capability.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = skipUnless(existsSync(CHROMIUM), `no ${CHROMIUM} (Debian chromium; scripts/setup --test installs it)`);
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

t.test('GraphiQL runs the example lineage query offline', { skip, timeout: 60_000 }, async (t) => {
  const { chromium } = await import('playwright-core');
  const svc = await startService({ source: 'procfs', pollIntervalMs: 60_000, dns: false, log: () => undefined });
  t.teardown(() => svc.close());
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(svc.app.server.address() as { port: number }).port}`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'proctrail-chromium-'));
  t.teardown(() => rmSync(userDataDir, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 850 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const offHost: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) offHost.push(r.url()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/graphiql`);
  await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('.graphiql-editor')?.textContent?.includes('LineageAtATime'), undefined, { timeout: 20_000 });
  const tabs = await page.locator('.graphiql-tab').count();
  t.ok(tabs >= 4, `opens with the example tabs (${tabs})`);
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"key"'), undefined, { timeout: 20_000 });
  const result = (await page.locator('.result-window').textContent()) ?? '';
  t.match(result, /"name":/, 'the lineage query answered');
  t.match(result, /"ancestors":/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'graphiql.png') });
  t.same(offHost, [], 'no request left this host');
  t.same(errors, [], 'no page errors');
});
