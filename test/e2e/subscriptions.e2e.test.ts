/**
 * End to end on the real kernel: the eBPF source feeds the pipeline, and a real process tree
 * spawned here arrives over a GraphQL subscription (WebSocket) and over
 * `GET /v1/events?follow=1` with the right pids, parents, executables, argv and exit code;
 * name and ancestor filters keep everything else out.
 */
import t from 'tap';
import http from 'node:http';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { startService } from '../../src/service/service.js';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';

const skip = skipUnless(ebpfMissing() === undefined, ebpfMissing() ?? '');

interface P { pid: number; key: string; name: string; executable: { path: string } | null; argv: string[]; exitCode: number | null; parent: { pid: number } | null }

t.test('live events of a real process tree', { skip }, async (t) => {
  const svc = await startService({ source: 'ebpf', log: () => undefined });
  t.teardown(() => svc.close());
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (svc.app.server.address() as { port: number }).port;
  const me = await waitFor(() => svc.pipeline.tree.findProcessByPid(process.pid, svc.clock.nowBootNs()), 5000, 'this test process in the tree');

  // GraphQL over WebSocket.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  t.teardown(() => ws.terminate());
  const msgs: Array<{ type: string; id?: string; payload?: { data?: Record<string, { kind: string; process: P }> } }> = [];
  ws.on('message', (d) => msgs.push(JSON.parse(String(d)) as (typeof msgs)[number]));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await waitFor(() => msgs.some((m) => m.type === 'connection_ack'), 3000, 'connection_ack');
  const sel = 'kind time process { pid key name executable { path } argv exitCode parent { pid } }';
  const subs: Record<string, string> = {
    started: `processStarted(ancestor: "${me.key}") { ${sel} }`,
    exec: `processExec(name: "sleep", ancestor: "${me.key}") { ${sel} }`,
    exited: `processExited(ancestor: "${me.key}") { ${sel} }`,
    other: 'processExec(name: "no-such-name-*") { kind }',
  };
  for (const [id, q] of Object.entries(subs)) ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: `subscription { ${q} }` } }));

  // The same over NDJSON.
  const lines: Array<{ kind: string; process: P }> = [];
  await new Promise<void>((resolve, reject) => {
    const req = http.get(`http://127.0.0.1:${port}/v1/events?follow=1&kinds=processExec,processExited&ancestor=${me.key}`, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)) as (typeof lines)[number]);
          buf = buf.slice(i + 1);
        }
      });
      resolve();
    });
    req.on('error', reject);
    t.teardown(() => req.destroy());
  });
  await waitFor(() => svc.pipeline.live.stats().subscribers === 5, 3000, 'five subscribers');

  // bash A → (fork) bash B → exec sleep; A exits 3 after waiting.
  const child = spawn('bash', ['-c', 'sleep 0.2 & wait; exit 3'], { stdio: 'ignore' });
  const a = child.pid!;
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? -1)));
  t.equal(code, 3);
  const data = (id: string) => msgs.filter((m) => m.id === id && m.type === 'next').map((m) => Object.values(m.payload!.data!)[0]!);
  const exitedA = await waitFor(() => data('exited').find((e) => e.process.pid === a), 5000, 'processExited of A');

  const started = data('started').map((e) => e.process);
  const sA = started.find((p) => p.pid === a);
  t.ok(sA, 'processStarted for A');
  t.equal(sA?.parent?.pid, process.pid, 'A\'s parent is this test');
  const sB = started.find((p) => p.parent?.pid === a);
  t.ok(sB, 'processStarted for B, child of A');
  t.equal(sB?.name, 'bash', 'B is described at its fork: still bash');

  const execs = data('exec').map((e) => e.process);
  t.same(execs.map((p) => p.pid), [sB?.pid], 'one exec matched name "sleep": B\'s; bash execs filtered out');
  t.match(execs[0]?.executable?.path, /\/sleep$/);
  t.same(execs[0]?.argv, ['sleep', '0.2']);
  t.equal(execs[0]?.parent?.pid, a);

  t.equal(exitedA.kind, 'processExited');
  t.equal(exitedA.process.exitCode, 3, 'exit code 3');
  t.ok(data('exited').some((e) => e.process.pid === sB?.pid && e.process.exitCode === 0), 'B (sleep) exited 0');
  t.same(data('other'), [], 'a non-matching filter saw nothing');

  await waitFor(() => lines.some((l) => l.kind === 'processExited' && l.process.pid === a), 3000, 'NDJSON exit of A');
  const ndExecs = lines.filter((l) => l.kind === 'processExec' && (l.process.pid === a || l.process.pid === sB?.pid));
  t.same(ndExecs.map((l) => l.process.executable?.path.split('/').pop()), ['bash', 'sleep'], 'NDJSON: A exec\'d bash, B exec\'d sleep');
  t.equal(lines.find((l) => l.kind === 'processExited' && l.process.pid === a)?.process.exitCode, 3);
  t.ok(lines.every((l) => l.kind === 'processExec' || l.kind === 'processExited'), 'only the asked kinds');
});
