/**
 * GraphiQL at /graphiql, served entirely from this server. mercurius's own page loads React
 * and GraphiQL from a CDN, which hosts without internet (and air-gapped production hosts)
 * cannot reach; here the same npm builds are served from node_modules, and the page opens
 * with ready example queries (one tab each).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const pkgDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/** The only files the page may load: name → [path, content type]. */
const ASSETS: Readonly<Record<string, readonly [string, string]>> = {
  'react.js': [join(pkgDir('react'), 'umd/react.production.min.js'), 'text/javascript'],
  'react-dom.js': [join(pkgDir('react-dom'), 'umd/react-dom.production.min.js'), 'text/javascript'],
  'graphiql.js': [join(pkgDir('graphiql'), 'graphiql.min.js'), 'text/javascript'],
  'graphiql.css': [join(pkgDir('graphiql'), 'graphiql.min.css'), 'text/css'],
};

/** Example queries the page opens with (documented in the README). */
export const EXAMPLE_QUERIES: ReadonlyArray<{ readonly title: string; readonly query: string }> = [
  {
    title: 'Lineage at a time',
    query: `# A process as it was at \`at\` (default now): lineage, children, threads, execs.
# Set pid and at in Variables; nested fields inherit \`at\`.
query LineageAtATime($pid: Int = 1, $at: Time) {
  process(pid: $pid, at: $at) {
    key name alive startTime
    executable { path }
    argv
    parent { pid name }
    ancestors(maxDepth: 8) { pid name executable { path } }
    children { pid name }
    threads { tid name }
    execHistory { time path argv }
  }
}`,
  },
  {
    title: 'Container processes',
    query: `# Every container (also removed ones, for an \`at\` inside their lifetime) and what ran in it.
query ContainerProcesses($at: Time) {
  containers(at: $at) {
    id name image runtime alive createdAt removedAt
    pod { name namespace }
    processes { pid name executable { path } parent { pid name } }
  }
}`,
  },
  {
    title: 'Reverse DNS',
    query: `# Which names resolved to an address (through CNAME chains and PTR answers), and who asked.
query ReverseDns($ip: String = "127.0.0.1", $at: Time) {
  reverseDns(ip: $ip, at: $at) {
    address
    names { name source validFrom validUntil expired path { type owner value ttl } }
  }
}`,
  },
  {
    title: 'Processes by name',
    query: `query ProcessesByName($name: String = "bash*") {
  processes(name: $name, state: ALL, first: 20) {
    edges { node { key pid name alive startTime exitTime exitCode parent { pid name } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  },
];

function page(): string {
  const tabs = JSON.stringify(EXAMPLE_QUERIES.map((q) => ({ query: q.query })));
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>proctrail · GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
    const root = ReactDOM.createRoot(document.getElementById('graphiql'));
    // /graphiql?query=...&variables=... (links from the lineage page) opens that query.
    const params = new URLSearchParams(location.search);
    const linked = params.get('query') ? { query: params.get('query'), variables: params.get('variables') || undefined } : {};
    root.render(React.createElement(GraphiQL, { fetcher, defaultTabs: ${tabs}, defaultEditorToolsVisibility: true, ...linked }));
  </script>
</body>
</html>
`;
}

/** Registers GET /graphiql and its assets. */
export async function graphiqlRoutes(app: FastifyInstance): Promise<void> {
  const html = page();
  const cache = new Map<string, Buffer>();
  app.get('/graphiql', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get<{ Params: { file: string } }>('/graphiql/assets/:file', async (req, reply) => {
    const asset = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!asset) return reply.code(404).send({ error: { code: 'PT_NOT_FOUND', message: `no asset ${req.params.file}` } });
    let body = cache.get(req.params.file);
    if (!body) {
      body = readFileSync(asset[0]);
      cache.set(req.params.file, body);
    }
    return reply.type(`${asset[1]}; charset=utf-8`).header('cache-control', 'public, max-age=86400').send(body);
  });
}
