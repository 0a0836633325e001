/**
 * GraphQL subscriptions over a real WebSocket (ws, graphql-transport-ws) on a listening
 * server: replayed task events go through the real Pipeline → live hub → mercurius → socket.
 * Fields, filters, filter errors, and a client that stops reading being cut off and counted.
 */
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { Pipeline } from '../../src/service/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import type { ExecEvent, ForkEvent, TaskInfo } from '../../src/events/types.js';
import { BOOT_EPOCH_NS, clock, EVENTS, EXEC_200, EXIT_300, iso, START } from './fixture.js';

interface Msg { type: string; id?: string; payload?: { data?: Record<string, unknown>; errors?: unknown } | Array<{ message: string; extensions?: { code?: string } }> }

async function setup(t: Test, queueSize?: number) {
  const pipeline = new Pipeline({ bootToEpochNs: BOOT_EPOCH_NS, ...(queueSize !== undefined && { live: { queueSize } }) });
  const app = buildApp({ tree: pipeline.tree, clock, live: pipeline.live });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as { port: number }).port;
  return { pipeline, app, port };
}

/** A graphql-transport-ws client that records every message. */
async function client(t: Test, port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  const msgs: Msg[] = [];
  let closed = false;
  ws.on('message', (d) => msgs.push(JSON.parse(String(d)) as Msg));
  ws.on('close', () => { closed = true; });
  ws.on('error', () => undefined);
  t.teardown(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await until(() => msgs.some((m) => m.type === 'connection_ack'));
  const subscribe = async (id: string, query: string) => {
    ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
    await new Promise((r) => setTimeout(r, 50)); // the server registers before the next event
  };
  return { ws, msgs, subscribe, isClosed: () => closed, data: (id: string) => msgs.filter((m) => m.id === id && m.type === 'next').map((m) => (m.payload as { data: Record<string, unknown> }).data) };
}

async function until(f: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('events arrive with the fields of the process at the event', async (t) => {
  const { pipeline, port } = await setup(t);
  const c = await client(t, port);
  await c.subscribe('s', 'subscription { processStarted { kind time timeNs process { key pid name startTime alive parent { pid name } } } }');
  await c.subscribe('e', 'subscription { processExec { kind time process { pid name executable { path } argv execHistory { path } } } }');
  await c.subscribe('x', 'subscription { processExited { kind time process { pid alive exitCode exitSignal exitTime ancestors { pid } } } }');
  pipeline.ingest(EVENTS);
  await until(() => c.data('x').length === 2);
  const started = c.data('s').map((d) => d.processStarted as { kind: string; time: string; timeNs: string; process: { key: string; pid: number; name: string; startTime: string; alive: boolean; parent: { pid: number } } });
  t.same(started.map((s) => s.process.pid), [100, 200, 300, 400], 'one processStarted per new process, none for thread 201');
  const s200 = started[1]!;
  t.equal(s200.kind, 'processStarted');
  t.equal(s200.time, iso(START.p200));
  t.equal(s200.timeNs, (START.p200 + BOOT_EPOCH_NS).toString());
  t.same(s200.process, { key: '200@2000', pid: 200, name: 'bash', startTime: iso(START.p200), alive: true, parent: { pid: 100, name: 'bash' } }, 'name before its exec');
  const execs = c.data('e').map((d) => d.processExec as { time: string; process: { pid: number; name: string; executable: { path: string }; argv: string[]; execHistory: Array<{ path: string }> } });
  const e200 = execs.find((e) => e.process.pid === 200)!;
  t.equal(e200.time, iso(EXEC_200));
  t.same(e200.process, { pid: 200, name: 'sleep', executable: { path: '/usr/bin/sleep' }, argv: ['sleep', '3'], execHistory: [{ path: '/usr/bin/sleep' }] });
  const exited = c.data('x').map((d) => d.processExited as { time: string; process: { pid: number; alive: boolean; exitCode: number | null; exitSignal: number | null; exitTime: string; ancestors: Array<{ pid: number }> } });
  t.same(exited[0], { kind: 'processExited', time: iso(EXIT_300), process: { pid: 300, alive: false, exitCode: 1, exitSignal: null, exitTime: iso(EXIT_300), ancestors: [{ pid: 200 }, { pid: 100 }, { pid: 1 }] } });
  t.same(exited[1]!.process.exitSignal, 9, 'killed by SIGKILL');
});

t.test('filters: name glob, ancestor key, container (cgroup id), AND', async (t) => {
  const { pipeline, port } = await setup(t);
  const c = await client(t, port);
  await c.subscribe('n', 'subscription { processExec(name: "[sy]*") { process { pid } } }');
  await c.subscribe('a', 'subscription { processStarted(ancestor: "200@2000") { process { pid } } }');
  await c.subscribe('c', 'subscription { processStarted(container: "18446744073709551557") { process { pid } } }');
  await c.subscribe('c0', 'subscription { processStarted(container: "12345") { process { pid } } }');
  await c.subscribe('and', 'subscription { processExited(name: "yes", ancestor: "100@1012") { process { pid } } }');
  pipeline.ingest(EVENTS);
  await until(() => c.data('and').length === 1);
  const pids = (id: string, f: string) => c.data(id).map((d) => (d[f] as { process: { pid: number } }).process.pid);
  t.same(pids('n', 'processExec'), [200, 400], 'sleep and yes match [sy]*; bash and false do not');
  t.same(pids('a', 'processStarted'), [200, 300], 'the ancestor itself and its descendants');
  t.same(pids('c', 'processStarted'), [100, 200, 300, 400], 'by decimal cgroup id outside containers');
  t.same(pids('c0', 'processStarted'), [], 'another cgroup: nothing');
  t.same(pids('and', 'processExited'), [400]);
});

t.test('container ids come from the hub resolver once a container cache sets it', async (t) => {
  const { pipeline, port } = await setup(t);
  pipeline.live.containerIdOf = (cg) => (cg === 18446744073709551557n ? 'abcdef0123456789' : undefined);
  const c = await client(t, port);
  await c.subscribe('p', 'subscription { processExec(container: "abcdef01") { process { pid } } }');
  await c.subscribe('n', 'subscription { processExec(container: "ffff0000") { process { pid } } }');
  pipeline.ingest(EVENTS);
  await until(() => c.data('p').length === 4);
  t.equal(c.data('n').length, 0);
});

t.test('bad filters are GraphQL errors with catalogue codes', async (t) => {
  const { port } = await setup(t);
  const c = await client(t, port);
  await c.subscribe('g', 'subscription { processExec(name: "[abc") { kind } }');
  await c.subscribe('k', 'subscription { processExec(ancestor: "nope") { kind } }');
  await until(() => c.msgs.filter((m) => m.type === 'error').length === 2);
  const code = (id: string) => (c.msgs.find((m) => m.id === id && m.type === 'error')!.payload as Array<{ extensions?: { code?: string } }>)[0]!.extensions?.code;
  t.equal(code('g'), 'PT_INVALID_GLOB');
  t.equal(code('k'), 'PT_INVALID_INPUT');
});

function forkExec(pid: number, i: number): [ForkEvent, ExecEvent] {
  const start = 200n * 1_000_000_000n + BigInt(i) * 1_000_000n;
  const tk: TaskInfo = {
    tid: pid, pid, startNs: start, leaderStartNs: start, ppid: 100, parentStartNs: START.p100,
    uid: 0, gid: 0, cgroupId: 1n, pidNsId: 1, nsPid: pid, nsTid: pid, comm: 'worker',
  };
  return [
    { type: 'fork', time: start, child: tk, creatorTid: 100, creatorStartNs: START.p100, isThread: false },
    { type: 'exec', time: start + 1000n, task: tk, oldTid: pid, file: { path: '/usr/bin/' + 'x'.repeat(200), inode: 9n, dev: 1, ctimeNs: 0n, mode: 0o755 }, argv: ['worker', 'y'.repeat(2000)], argvTruncated: false },
  ];
}

t.test('a client that stops reading is disconnected and counted; others keep receiving', async (t) => {
  const { pipeline, port } = await setup(t, 64);
  pipeline.ingest(EVENTS);
  const slow = await client(t, port);
  const fast = await client(t, port);
  const q = 'subscription { processExec { process { pid argv executable { path } } } }';
  await slow.subscribe('1', q);
  await fast.subscribe('1', q);
  // Stop reading: the kernel buffers fill, mercurius's writes stop completing, the
  // subscription queue fills, and the hub drops the subscriber.
  const raw = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  const heapBefore = process.memoryUsage().heapUsed;
  let pid = 10_000;
  let fastSeen = 0;
  for (let round = 0; round < 400 && pipeline.live.stats().closed.slow_consumer === 0; round++) {
    const batch = [];
    for (let i = 0; i < 50; i++) batch.push(...forkExec(pid++, pid));
    pipeline.ingest(batch);
    await new Promise((r) => setImmediate(r));
    fastSeen = fast.data('1').length;
  }
  const sent = pid - 10_000;
  const st = pipeline.live.stats();
  t.equal(st.closed.slow_consumer, 1, 'one subscriber dropped as slow_consumer');
  t.ok(st.discarded >= 1, `its queued events were discarded (${st.discarded})`);
  raw.resume(); // read again: what is left of the stream, then the end of the connection
  await until(() => slow.isClosed(), 5000);
  t.ok(slow.isClosed(), 'its connection was terminated');
  t.ok(slow.data('1').length < sent, `the slow client got only part of the stream (${slow.data('1').length})`);
  t.ok(pipeline.live.stats().subscribers === 1, 'the fast subscriber is still subscribed');
  await until(() => fast.data('1').length >= sent, 10_000);
  t.ok(fastSeen > 0, 'the fast client kept receiving meanwhile');
  t.equal(fast.data('1').length, sent, `the fast client got every exec (${sent})`);
  const stats = (await (await fetch(`http://127.0.0.1:${port}/v1/stats`)).json()) as { live: { closed: { slow_consumer: number } } };
  t.equal(stats.live.closed.slow_consumer, 1, '/v1/stats shows the drop');
  t.comment(`dropped after ${sent} execs; heap delta ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)} MB`);
});
