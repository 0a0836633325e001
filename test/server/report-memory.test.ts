/**
 * A 100 000-process report streams in bounded memory: a replay of 100 000 processes (NDJSON
 * through the replay source into a real Pipeline), then the whole JSON/Markdown report over
 * real HTTP, read chunk by chunk. The live heap (sampled after a forced GC every 128 chunks)
 * must stay a small fraction of the report's size: one giant string would need all of it.
 */
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { Pipeline } from '../../src/service/pipeline.js';
import { ReplaySource } from '../../src/sources/replay.js';
import { eventToLine } from '../../src/events/ndjson.js';
import type { ProctrailEvent, TaskInfo } from '../../src/events/types.js';
import { buildApp } from '../../src/server/app.js';
import { formatTime, type Clock } from '../../src/query/time.js';

const N = 100_000;
const S = 1_000_000_000n;
const OFF = 1_795_773_600_000_000_000n;
const clock: Clock = { bootToEpochNs: OFF, nowBootNs: () => 10_000n * S };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function taskOf(pid: number, ppid: number, comm: string): TaskInfo {
  const start = (p: number) => S + BigInt(p) * 1_000_000n;
  return {
    tid: pid, pid, startNs: start(pid), leaderStartNs: start(pid), ppid, parentStartNs: ppid === 0 ? 0n : start(ppid),
    uid: 0, gid: 0, cgroupId: 1n, pidNsId: 1, nsPid: pid, nsTid: pid, comm,
  };
}

/** NDJSON lines: init, then N processes in a tree of fan-out 8, each exec'd, every tenth exited. */
function* lines(): Generator<string> {
  yield eventToLine({ type: 'snapshot', time: S, task: taskOf(1, 0, 'init'), file: { path: '/sbin/init', inode: 0n, dev: 0, ctimeNs: 0n, mode: 0 }, argv: ['/sbin/init'] }) + '\n';
  for (let pid = 2; pid < N + 2; pid++) {
    const ppid = Math.max(1, Math.floor(pid / 8));
    const child = taskOf(pid, ppid, 'worker');
    const evs: ProctrailEvent[] = [
      { type: 'fork', time: child.startNs, child, creatorTid: ppid, creatorStartNs: child.parentStartNs, isThread: false },
      {
        type: 'exec', time: child.startNs + 1000n, task: child, oldTid: pid, argv: ['/usr/bin/worker', `--id=${pid}`], argvTruncated: false,
        file: { path: '/usr/bin/worker', inode: 42n, dev: 1, ctimeNs: 1n, mode: 0o100755 },
      },
    ];
    if (pid % 10 === 0) evs.push({ type: 'exit', time: child.startNs + 5n * S, task: child, exitStatus: 0, groupDead: true });
    for (const e of evs) yield eventToLine(e) + '\n';
  }
}

const pipeline = new Pipeline({ bootToEpochNs: OFF, processCacheSize: N + 1000, threadCacheSize: N + 1000 });
const t0 = performance.now();
const src = new ReplaySource({ input: Readable.from(lines()), strict: true, batchSize: 4096 });
await src.start(pipeline.ingest);
await src.done;
const replayMs = performance.now() - t0;
const app = buildApp({ tree: pipeline.tree, containers: pipeline.containers, clock });
const base = `http://127.0.0.1:${(await app.listen({ port: 0, host: '127.0.0.1' }) && (app.server.address() as { port: number }).port)}`;
t.teardown(() => app.close());

t.test('replay holds 100 000 processes', async (t) => {
  t.ok(pipeline.tree.stats().processes.size >= N, `${pipeline.tree.stats().processes.size} processes replayed in ${Math.round(replayMs)} ms`);
});

for (const format of ['json', 'md'] as const) {
  t.test(`${format}: streamed with bounded heap`, async (t) => {
    const url = `${base}/v1/reports/lineage?from=${formatTime(OFF)}&to=${formatTime(OFF + 1000n * S)}&format=${format}`;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let bytes = 0;
    let chunks = 0;
    let tail = '';
    const started = performance.now();
    const res = await fetch(url);
    t.equal(res.status, 200);
    t.equal(res.headers.get('x-proctrail-processes'), String(N + 1));
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      // Live heap (garbage collected first) at regular points of the stream.
      if (++chunks % 128 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
      tail = (tail + Buffer.from(chunk.subarray(-200)).toString('latin1')).slice(-200);
    }
    const ms = performance.now() - started;
    const growth = peak - before;
    const mb = (n: number) => (n / 1048576).toFixed(1);
    t.comment(`${format}: ${mb(bytes)} MB in ${chunks} chunks, ${Math.round(ms)} ms; peak heap growth ${mb(growth)} MB (${((100 * growth) / bytes).toFixed(0)}% of the report)`);
    t.ok(bytes > 15 * 1048576, 'a large report');
    t.ok(chunks > 100, 'delivered in many chunks');
    // What stays is the model (a few pointers per process) plus chunks in flight on both
    // ends of the socket (the client runs in this process too), not the text.
    t.ok(growth < 160 * N, `heap growth ${mb(growth)} MB < 160 bytes per process`);
    if (format === 'json') t.ok(growth < bytes / 4, `and < a quarter of the ${mb(bytes)} MB report`);
    // Children of an exited worker that outlived it were re-parented to init: pids 8p..8p+7
    // of the exited p (p % 10 == 0) that started within its 5 s life, i.e. p < 714: 71 × 8.
    if (format === 'json') t.match(tail, new RegExp(`"summary":\\{"processes":${N + 1},"roots":1,"exited":${N / 10},"reparented":568\\}\\}\\n$`));
    else t.match(tail, new RegExp(`${N / 10} exited in the range, 568 re-parented\\.\\n$`));
  });
}
