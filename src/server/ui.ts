/**
 * The lineage graph page at /ui/: static files from `ui/` (plain JS, no build step) plus
 * cytoscape from node_modules, all served by this server (hosts are often offline, so no
 * CDN). The page talks only to the public GraphQL API.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from './errors.js';

const require = createRequire(import.meta.url);
/** The page's own files (repository `ui/`; the same path from src/server and dist/server). */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/** The only files the page may load: name → [path, content type]. */
const FILES: Readonly<Record<string, readonly [string, string]>> = {
  'index.html': [join(UI_DIR, 'index.html'), 'text/html'],
  'app.js': [join(UI_DIR, 'app.js'), 'text/javascript'],
  'style.css': [join(UI_DIR, 'style.css'), 'text/css'],
  // cytoscape's package exports do not list package.json: resolve the CommonJS entry (dist/).
  'cytoscape.js': [join(dirname(require.resolve('cytoscape')), 'cytoscape.min.js'), 'text/javascript'],
};

/** Registers GET /ui (redirect), /ui/ and /ui/{file}. */
export async function uiRoutes(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, Buffer>();
  const send = (name: string, reply: FastifyReply) => {
    const f = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (f === undefined) return reply.code(404).send(errorBody('PT_ROUTE_NOT_FOUND', `No file /ui/${name}`));
    let body = cache.get(name);
    if (body === undefined) {
      body = readFileSync(f[0]);
      cache.set(name, body);
    }
    // The page's own files change with the build; the library is versioned.
    const maxAge = name === 'cytoscape.js' ? 86400 : 60;
    return reply.type(`${f[1]}; charset=utf-8`).header('cache-control', `public, max-age=${maxAge}`).send(body);
  };
  app.get('/ui', async (_req, reply) => reply.redirect('/ui/', 301));
  app.get('/ui/', async (_req, reply) => send('index.html', reply));
  app.get<{ Params: { file: string } }>('/ui/:file', async (req, reply) => send(req.params.file, reply));
}
