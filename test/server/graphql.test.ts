/** GraphQL answers for the replayed sequence, including `at` inheritance by nested fields. */
import t from 'tap';
import { EXEC_200, EXIT_300, iso, replayedApp, START, BOOT_EPOCH_NS } from './fixture.js';

const { app } = replayedApp();
t.teardown(() => app.close());

async function gql(query: string, variables?: Record<string, unknown>) {
  const r = await app.inject({ method: 'POST', url: '/graphql', payload: { query, variables } });
  return { status: r.statusCode, body: r.json() };
}

const ISSUE_QUERY = `query ($at: Time) { process(pid: 200, at: $at) {
  key name executable { path } parent { pid name } ancestors(maxDepth: 8) { pid name }
  children { pid name } threads { tid name } execHistory { time path argv } } }`;

t.test("the issue's query, after the exec", async (t) => {
  const r = await gql(ISSUE_QUERY, { at: iso(EXIT_300 - 1n) });
  t.equal(r.status, 200);
  t.same(r.body, {
    data: {
      process: {
        key: '200@2000',
        name: 'sleep',
        executable: { path: '/usr/bin/sleep' },
        parent: { pid: 100, name: 'bash' },
        ancestors: [
          { pid: 100, name: 'bash' },
          { pid: 1, name: 'init' },
        ],
        children: [{ pid: 300, name: 'false' }],
        threads: [
          { tid: 200, name: 'sleep' },
          { tid: 201, name: 'sleep' },
        ],
        execHistory: [{ time: iso(EXEC_200), path: '/usr/bin/sleep', argv: ['sleep', '3'] }],
      },
    },
  });
});

t.test('nested fields inherit `at` (before the exec: old name everywhere, no child, no thread)', async (t) => {
  const at = iso(EXEC_200 - 1n);
  const r = await gql(`{ process(pid: 100, at: "${at}") { at atNs name
    children { at name executable { path } parent { name } threads { at name }
      ancestors { at name } } } }`);
  t.equal(r.status, 200);
  const p = r.body.data.process;
  t.equal(p.at, at);
  t.equal(p.atNs, (EXEC_200 - 1n + BOOT_EPOCH_NS).toString());
  t.same(p.children, [
    {
      at,
      name: 'bash',
      executable: { path: '/usr/bin/bash' },
      parent: { name: 'bash' },
      threads: [{ at, name: 'bash' }],
      ancestors: [
        { at, name: 'bash' },
        { at, name: 'init' },
      ],
    },
  ]);
  const later = await gql(`{ process(pid: 100, at: "${EXIT_300 - 1n + BOOT_EPOCH_NS}") { children { name } } }`);
  t.same(later.body.data.process.children, [{ name: 'sleep' }, { name: 'yes' }], 'epoch-ns at; same nesting, later time');
});

t.test('exited process, key lookup, thread, processes connection', async (t) => {
  const r = await gql(`{ process(key: "300@2100") { pid alive exitTime exitTimeNs exitCode exitSignal startTimeNs
    parent { pid } } thread(tid: 201) { tid pid key process { pid name } } }`);
  t.same(r.body.data, {
    process: {
      pid: 300,
      alive: false,
      exitTime: iso(EXIT_300),
      exitTimeNs: (EXIT_300 + BOOT_EPOCH_NS).toString(),
      exitCode: 1,
      exitSignal: null,
      startTimeNs: (START.p300 + BOOT_EPOCH_NS).toString(),
      parent: { pid: 200 },
    },
    thread: { tid: 201, pid: 200, key: '201@2060', process: { pid: 200, name: 'sleep' } },
  });
  t.same((await gql('{ process(pid: 9999) { pid } }')).body, { data: { process: null } });
  const page1 = await gql('{ processes(state: ALL, first: 3) { nodes { pid } pageInfo { hasNextPage endCursor } } }');
  t.same(page1.body.data.processes.nodes, [{ pid: 1 }, { pid: 100 }, { pid: 200 }]);
  t.equal(page1.body.data.processes.pageInfo.hasNextPage, true);
  const after = page1.body.data.processes.pageInfo.endCursor;
  const page2 = await gql(`{ processes(state: ALL, first: 3, after: "${after}") { edges { cursor node { pid } } pageInfo { hasNextPage } } }`);
  t.same(page2.body.data.processes.edges.map((e: { node: { pid: number } }) => e.node.pid), [300, 400]);
  t.equal(page2.body.data.processes.pageInfo.hasNextPage, false);
  const named = await gql('{ processes(name: "b*") { nodes { pid name } } }');
  t.same(named.body.data.processes.nodes, [{ pid: 100, name: 'bash' }]);
});

t.test('repeated queries (jit-compiled) give the same answer', async (t) => {
  const first = await gql(ISSUE_QUERY, { at: iso(EXIT_300 - 1n) });
  for (let i = 0; i < 3; i++) t.same(await gql(ISSUE_QUERY, { at: iso(EXIT_300 - 1n) }), first);
});
