/**
 * The container snapshot at the edge: atomic write (no temp files left, old content
 * replaced whole), and startContainers restoring from it, logging and ignoring a corrupt
 * or foreign-version snapshot instead of crashing.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNAPSHOT_FILE, writeFileAtomic } from '../../src/service/snapshot-file.js';
import { startContainers } from '../../src/service/containers.js';
import { Pipeline } from '../../src/service/pipeline.js';
import type { Clock } from '../../src/query/time.js';

const clock: Clock = { bootToEpochNs: 1_000_000_000_000_000_000n, nowBootNs: () => 50_000_000_000n };
const ID = 'f'.repeat(64);

function dir(t: Test): string {
  const d = mkdtempSync(join(tmpdir(), 'pt-state-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('atomic write replaces the file whole and leaves no temp file', async (t) => {
  const d = dir(t);
  await writeFileAtomic(join(d, 'sub'), 'x.json', 'one');
  await writeFileAtomic(join(d, 'sub'), 'x.json', 'two');
  t.equal(readFileSync(join(d, 'sub', 'x.json'), 'utf8'), 'two');
  t.same(readdirSync(join(d, 'sub')), ['x.json']);
});

t.test('save at close, restore at start (no cgroup mount: everything goes to history)', async (t) => {
  const d = dir(t);
  const logs: string[] = [];
  const p1 = new Pipeline({ bootToEpochNs: clock.bootToEpochNs });
  const cs1 = await startContainers(p1, clock, { hierarchy: undefined, stateDir: d, enrich: false, log: (l) => logs.push(l) });
  p1.ingest([{ type: 'cgroup_mkdir', time: 10_000_000_000n, hierarchyId: 0, cgroupId: 9n, level: 2, path: `/docker/${ID}`, tid: 0, pid: 0, taskStartNs: 0n }]);
  p1.containers.enrich(ID, { name: 'db', image: 'postgres:16' });
  await cs1.close();
  const text = readFileSync(join(d, SNAPSHOT_FILE), 'utf8');
  t.match(text, /"proctrail.containers"/);

  const p2 = new Pipeline({ bootToEpochNs: clock.bootToEpochNs });
  const cs2 = await startContainers(p2, clock, { hierarchy: undefined, stateDir: d, enrich: false, log: (l) => logs.push(l) });
  t.teardown(() => cs2.close());
  const c = p2.containers.containerAt(ID, 20_000_000_000n);
  t.equal(c?.name, 'db', 'enrichment restored');
  t.equal(c?.image, 'postgres:16');
  t.equal(c?.removedBy, 'reconcile', 'its cgroup is not in the (empty) live tree: removed while down');
  t.match((cs2.stats().snapshot as { restored: { removed: number } }).restored, { removed: 1 });
});

t.test('corrupt and foreign-version snapshots are logged and ignored', async (t) => {
  for (const bad of ['{not json', JSON.stringify({ format: 'proctrail.containers', version: 99, containers: [] }), JSON.stringify({ format: 'other' })]) {
    const d = dir(t);
    writeFileSync(join(d, SNAPSHOT_FILE), bad);
    const logs: string[] = [];
    const p = new Pipeline({ bootToEpochNs: clock.bootToEpochNs });
    const cs = await startContainers(p, clock, { hierarchy: undefined, stateDir: d, enrich: false, log: (l) => logs.push(l) });
    t.match(logs.join('\n'), /snapshot .* ignored/, `logged: ${bad.slice(0, 20)}`);
    t.equal(p.containers.containers().length, 0);
    await cs.close();
    t.match(readFileSync(join(d, SNAPSHOT_FILE), 'utf8'), /"version":1/, 'the next save replaces it');
  }
});
