#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point of the `proctrail` command: runs the compiled CLI (dist/, built by scripts/setup).
// The young generation is larger than V8's default (16 MiB semi-spaces), so the short-lived
// objects of high event rates die young instead of being copied into the old generation:
// against 32 MiB, +15-30 % in bench/ingest and +30 % in bench/dns, for up to ~100 MB more
// RSS while such a load lasts (V8 grows the young generation only under allocation
// pressure: idle RSS is the same). scripts/bench and bench/http read the flags from the
// line above, so benchmarks run the way the service does.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli.js');
if (!existsSync(compiled)) {
  console.error('proctrail: not built yet (dist/cli.js missing). Run `npm run setup` (or `npm start`) first.');
  process.exit(1);
}
const { main } = await import(pathToFileURL(compiled).href);
process.exitCode = await main(process.argv.slice(2));
