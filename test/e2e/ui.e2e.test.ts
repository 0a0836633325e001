/**
 * The lineage page in headless Chromium (Debian `chromium` + playwright-core) against the
 * real service under eBPF: search a live pid, see its ancestors in the graph and the list,
 * move the time slider to before its exec and see the old executable. A screenshot goes to
 * test-artifacts/ui-lineage.png (and one before the exec).
 */
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startService } from '../../src/service/service.js';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = ebpfMissing() ?? (existsSync(CHROMIUM) ? undefined : `no ${CHROMIUM} (Debian chromium; scripts/setup --test installs it)`);
const skip = skipUnless(missing === undefined, missing ?? '');
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

t.test('lineage page: live pid, ancestors, time slider before exec', { skip, timeout: 60_000 }, async (t) => {
  const { chromium } = await import('playwright-core');
  const svc = await startService({ source: 'ebpf', log: () => undefined });
  t.teardown(() => svc.close());
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(svc.app.server.address() as { port: number }).port}`;

  // bash A → bash B, which execs sleep after 1 s: B's executable changes at a known time.
  const child = spawn('bash', ['-c', 'bash -c "sleep 1; exec sleep 30" & wait'], { stdio: 'ignore' });
  t.teardown(() => { child.kill('SIGKILL'); });
  const a = child.pid!;
  const tree = svc.pipeline.tree;
  const now = () => svc.clock.nowBootNs();
  const b = await waitFor(() => {
    const pa = tree.findProcessByPid(a, now());
    const pb = pa && tree.childrenOf(pa, now())[0];
    return pb && pb.execHistory.some((e) => e.file.path.endsWith('/sleep') && e.argv[1] === '30') ? pb : undefined;
  }, 8000, 'B exec\'d into sleep 30');
  const execs = b.execHistory;
  const bashExec = execs.find((e) => e.file.path.endsWith('/bash'))!;
  const sleepExec = execs.find((e) => e.argv[1] === '30')!;
  t.ok(bashExec && sleepExec, 'B ran bash, then sleep');

  const userDataDir = mkdtempSync(join(tmpdir(), 'proctrail-chromium-'));
  t.teardown(() => rmSync(userDataDir, { recursive: true, force: true }));
  // A new empty profile: playwright passes it as --user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 850 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const failed: string[] = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  page.on('request', (r) => { if (!r.url().startsWith(base)) failed.push(`off-host: ${r.url()}`); });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await page.goto(`${base}/ui/`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
  await page.fill('#q', String(b.pid));
  await page.click('#search button');
  await page.waitForSelector(`#lineage li.focus[data-key="${b.key}"]`, { timeout: 10_000 });

  const list = await page.$$eval('#lineage li', (lis) => lis.map((li) => ({ key: (li as HTMLElement).dataset.key, text: li.textContent ?? '', cls: li.className })));
  const ancestors = list.filter((l) => l.cls.includes('ancestor')).map((l) => Number(l.text.trim().split(' ')[0]));
  t.same(ancestors.slice(0, 2), [a, process.pid], 'ancestors: A, then this test process');
  t.ok(ancestors.includes(1), 'up to pid 1');
  t.match(list.find((l) => l.key === b.key)?.text, /\/sleep/, 'now: B runs sleep');
  const graphNodes = await page.evaluate(() => (window as unknown as { proctrailUi: { cy: { nodes(): { map<T>(f: (n: { id(): string }) => T): T[] } } } }).proctrailUi.cy.nodes().map((n) => n.id()));
  t.ok(graphNodes.includes(b.key) && graphNodes.includes(tree.findProcessByPid(a, now())!.key), 'graph has B and A');
  t.match(await page.textContent('#details'), /Exec history/, 'details of the focused process');
  t.match(await page.getAttribute('#graphiql-link', 'href'), /^\/graphiql\?query=/, 'link to the query in GraphiQL');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'ui-lineage.png') });

  // Slider to the middle of B's bash period (between the bash exec and the sleep exec).
  const target = svc.clock.bootToEpochNs + (bashExec.time + sleepExec.time) / 2n;
  const step = await page.$eval('#slider', (el, tgt) => {
    const s = el as HTMLInputElement;
    const min = BigInt(s.dataset.minNs!);
    const max = BigInt(s.dataset.maxNs!);
    return Number(((BigInt(tgt) - min) * 1000n) / (max - min));
  }, target.toString());
  t.ok(step > 0 && step < 1000, `slider step ${step} is inside the range`);
  await page.$eval('#slider', (el, v) => {
    const s = el as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('input', { bubbles: true }));
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, step);
  await page.waitForFunction((key) => /\/bash/.test(document.querySelector(`#lineage li[data-key="${key}"]`)?.textContent ?? ''), b.key, { timeout: 10_000 });
  t.match(await page.textContent(`#lineage li[data-key="${b.key}"]`), /\/bash/, 'before the exec: B runs bash');
  t.match(await page.textContent('#details'), /bash/, 'details show the old executable');
  t.notMatch(await page.textContent('#at-label'), /now/, 'the time label shows a moment, not now');
  await page.screenshot({ path: join(ARTIFACTS, 'ui-lineage-before-exec.png') });

  t.same(failed, [], 'no failed or off-host requests (offline page)');
  t.same(pageErrors, [], 'no page errors');
});
