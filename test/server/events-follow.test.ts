/**
 * `GET /v1/events?follow=1` streamed with a real HTTP client on a listening server: NDJSON
 * lines with the process as at the event, kinds and filters, bad input, and a client that
 * stops reading being dropped (bounded queue) without stalling ingestion.
 */
import t, { type Test } from 'tap';
import http from 'node:http';
import { Pipeline } from '../../src/service/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import type { ExecEvent, ForkEvent, TaskInfo } from '../../src/events/types.js';
import { BOOT_EPOCH_NS, clock, EVENTS, EXEC_200, iso, START } from './fixture.js';

async function setup(t: Test) {
  const pipeline = new Pipeline({ bootToEpochNs: BOOT_EPOCH_NS });
  const app = buildApp({ tree: pipeline.tree, clock, live: pipeline.live });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  return { pipeline, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

interface Stream { res: http.IncomingMessage; lines: Array<Record<string, unknown>>; req: http.ClientRequest; ended: () => boolean }

/** Open a follow stream; resolves once the headers arrived (the subscription is live then). */
function follow(t: Test, url: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      const lines: Array<Record<string, unknown>> = [];
      let buf = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
          buf = buf.slice(i + 1);
        }
      });
      res.on('end', () => { ended = true; });
      res.on('close', () => { ended = true; });
      res.on('error', () => { ended = true; });
      resolve({ res, lines, req, ended: () => ended });
    });
    req.on('error', reject);
    t.teardown(() => req.destroy());
  });
}

async function until(f: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('NDJSON lines: kind, exact times, the process DTO at the event', async (t) => {
  const { pipeline, base } = await setup(t);
  const s = await follow(t, `${base}/v1/events?follow=1`);
  t.equal(s.res.statusCode, 200);
  t.match(s.res.headers['content-type'], /^application\/x-ndjson/);
  pipeline.ingest(EVENTS);
  await until(() => s.lines.length === 10);
  t.same(s.lines.map((l) => `${String(l.kind)}:${(l.process as { pid: number }).pid}`), [
    'processStarted:100', 'processExec:100', 'processStarted:200', 'processExec:200', 'processStarted:300',
    'processExec:300', 'processExited:300', 'processStarted:400', 'processExec:400', 'processExited:400',
  ], 'every process event in order; no thread start');
  const exec200 = s.lines[3] as { time: string; timeNs: string; process: { name: string; executable: { path: string }; execHistory: unknown[]; at: string; parent: { pid: number } } };
  t.equal(exec200.time, iso(EXEC_200));
  t.equal(exec200.timeNs, (EXEC_200 + BOOT_EPOCH_NS).toString());
  t.equal(exec200.process.at, iso(EXEC_200), 'described at the event');
  t.equal(exec200.process.name, 'sleep');
  t.equal(exec200.process.executable.path, '/usr/bin/sleep');
  t.equal(exec200.process.parent.pid, 100);
  const started200 = s.lines[2] as { process: { name: string; startTime: string } };
  t.equal(started200.process.name, 'bash', 'the start event shows the name before the exec');
  t.equal(started200.process.startTime, iso(START.p200));
  const exited = s.lines[9] as { process: { exitSignal: number; alive: boolean } };
  t.same([exited.process.alive, exited.process.exitSignal], [false, 9]);
});

t.test('kinds and filters', async (t) => {
  const { pipeline, base } = await setup(t);
  const a = await follow(t, `${base}/v1/events?follow=1&kinds=processExited`);
  const b = await follow(t, `${base}/v1/events?follow=1&kinds=processExec,processStarted&ancestor=200@2000`);
  const c = await follow(t, `${base}/v1/events?follow=1&name=y*`);
  pipeline.ingest(EVENTS);
  await until(() => a.lines.length === 2 && b.lines.length === 4 && c.lines.length === 2);
  const pk = (s: Stream) => s.lines.map((l) => `${String(l.kind)}:${(l.process as { pid: number }).pid}`);
  t.same(pk(a), ['processExited:300', 'processExited:400']);
  t.same(pk(b), ['processStarted:200', 'processExec:200', 'processStarted:300', 'processExec:300'], 'the ancestor itself and its descendants');
  t.same(pk(c), ['processExec:400', 'processExited:400']);
});

t.test('bad input: 400 with catalogue codes', async (t) => {
  const { base } = await setup(t);
  const cases: Array<[string, string]> = [
    ['/v1/events', 'PT_INVALID_INPUT'],
    ['/v1/events?follow=1&kinds=bogus', 'PT_INVALID_INPUT'],
    ['/v1/events?follow=1&name=%5Babc', 'PT_INVALID_GLOB'],
    ['/v1/events?follow=1&ancestor=x', 'PT_INVALID_INPUT'],
    ['/v1/events?follow=1&queue=0', 'PT_INVALID_INPUT'],
  ];
  for (const [url, code] of cases) {
    const r = await fetch(base + url);
    t.equal(r.status, 400, url);
    t.equal(((await r.json()) as { error: { code: string } }).error.code, code, url);
  }
});

function forkExec(pid: number): [ForkEvent, ExecEvent] {
  const start = 300n * 1_000_000_000n + BigInt(pid) * 1_000_000n;
  const tk: TaskInfo = {
    tid: pid, pid, startNs: start, leaderStartNs: start, ppid: 100, parentStartNs: START.p100,
    uid: 0, gid: 0, cgroupId: 1n, pidNsId: 1, nsPid: pid, nsTid: pid, comm: 'worker',
  };
  return [
    { type: 'fork', time: start, child: tk, creatorTid: 100, creatorStartNs: START.p100, isThread: false },
    { type: 'exec', time: start + 1000n, task: tk, oldTid: pid, file: { path: '/usr/bin/worker', inode: 9n, dev: 1, ctimeNs: 0n, mode: 0o755 }, argv: ['worker', 'y'.repeat(2000)], argvTruncated: false },
  ];
}

t.test('a client that stops reading is dropped as slow_consumer; ingestion never waits', async (t) => {
  const { pipeline, base } = await setup(t);
  pipeline.ingest(EVENTS);
  const slow = await follow(t, `${base}/v1/events?follow=1&kinds=processExec&queue=256`);
  const fast = await follow(t, `${base}/v1/events?follow=1&kinds=processExec`);
  slow.res.pause();
  let pid = 10_000;
  let worstBatchMs = 0;
  for (let round = 0; round < 400 && pipeline.live.stats().closed.slow_consumer === 0; round++) {
    const batch = [];
    for (let i = 0; i < 50; i++) batch.push(...forkExec(pid++));
    const t0 = performance.now();
    pipeline.ingest(batch);
    worstBatchMs = Math.max(worstBatchMs, performance.now() - t0);
    await new Promise((r) => setImmediate(r));
  }
  const sent = pid - 10_000;
  t.equal(pipeline.live.stats().closed.slow_consumer, 1, `dropped after ${sent} events`);
  slow.res.resume();
  await until(() => slow.ended(), 5000);
  t.ok(slow.lines.length < sent, `the slow client's stream was cut (${slow.lines.length} of ${sent} lines)`);
  await until(() => fast.lines.length === sent, 10_000);
  t.equal(fast.lines.length, sent, 'the other client got every line');
  t.ok(worstBatchMs < 200, `slowest 100-event batch with subscribers: ${worstBatchMs.toFixed(1)} ms`);
  t.equal(pipeline.live.stats().subscribers, 1);
});

t.test('a client that goes away unsubscribes', async (t) => {
  const { pipeline, base } = await setup(t);
  const s = await follow(t, `${base}/v1/events?follow=1`);
  t.equal(pipeline.live.stats().subscribers, 1);
  s.req.destroy();
  await until(() => pipeline.live.stats().subscribers === 0);
  t.equal(pipeline.live.stats().closed.client_closed, 1);
});
