/**
 * The V8 flags the service runs with, for benchmarks: bin/proctrail.js's first line is the
 * one definition; scripts/bench and bench/http read it through serviceNodeFlags.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

/** Node flags on bin/proctrail.js's `#!/usr/bin/env -S node ...` line. */
export function serviceNodeFlags(): string[] {
  const first = readFileSync(new URL('../bin/proctrail.js', import.meta.url), 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!.*[ /]node(?: (.*))?$/.exec(first);
  if (m === null) throw new Error(`bin/proctrail.js: unexpected first line ${JSON.stringify(first)}`);
  return (m[1] ?? '').split(' ').filter((f) => f !== '');
}

/** This process's young-generation semi-space size in MiB (what the result lines report). */
export function semiSpaceMiB(): number {
  return (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / 2 ** 21;
}
