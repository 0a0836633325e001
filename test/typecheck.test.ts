/** Strict TypeScript over the whole tree (src, tests, benches): tsx runs tests without checking types. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

t.test('tsc --noEmit -p tsconfig.check.json is clean', { timeout: 180_000 }, async (t) => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.check.json`], { encoding: 'utf8', cwd: root });
  t.equal(r.status, 0, r.stdout + r.stderr);
});
