/**
 * Boot-time <-> wall-clock conversion. Kernel events carry CLOCK_BOOTTIME ns; the API
 * speaks epoch time. The offset (CLOCK_REALTIME - CLOCK_BOOTTIME) is measured once, from
 * the addon's back-to-back clock reads, or from /proc/uptime + Date.now() (10 ms precision)
 * when the addon is unavailable. All values are bigint: epoch ns exceed 2^53.
 */
import { readFileSync } from 'node:fs';
import { loadAddon } from './ebpf.js';
import type { Clock } from '../query/time.js';

/** A measured boot->epoch offset. */
export interface ClockOffset {
  /** epochNs = bootNs + bootToEpochNs. */
  readonly bootToEpochNs: bigint;
  readonly source: 'addon' | 'proc-uptime';
}

/** Reads realtime and boottime back to back (the addon's clocks()). */
export type ClockReader = () => { realtimeNs: bigint; boottimeNs: bigint };

function fromProcUptime(): ClockOffset {
  const before = BigInt(Date.now()) * 1_000_000n;
  const text = readFileSync('/proc/uptime', 'utf8');
  const after = BigInt(Date.now()) * 1_000_000n;
  const [whole, frac = '0'] = (text.split(/\s+/)[0] ?? '0').split('.');
  const uptimeNs = BigInt(whole) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
  return { bootToEpochNs: (before + after) / 2n - uptimeNs, source: 'proc-uptime' };
}

/** Measures the offset now, with `reader` if given, else the addon, else /proc/uptime. */
export function measureClockOffset(reader?: ClockReader): ClockOffset {
  let read = reader;
  if (!read) {
    try {
      read = loadAddon().clocks;
    } catch {
      return fromProcUptime();
    }
  }
  const { realtimeNs, boottimeNs } = read();
  return { bootToEpochNs: realtimeNs - boottimeNs, source: 'addon' };
}

let measured: ClockOffset | undefined;

/** The process-wide offset, measured on first use. */
export function clockOffset(): ClockOffset {
  measured ??= measureClockOffset();
  return measured;
}

/** Converts CLOCK_BOOTTIME ns to epoch ns. */
export function bootNsToEpochNs(bootNs: bigint, offset: ClockOffset = clockOffset()): bigint {
  return bootNs + offset.bootToEpochNs;
}

/** Converts epoch ns to CLOCK_BOOTTIME ns. */
export function epochNsToBootNs(epochNs: bigint, offset: ClockOffset = clockOffset()): bigint {
  return epochNs - offset.bootToEpochNs;
}

let addonClocks: ClockReader | null | undefined;

/** The addon's clock reader, looked up once (null without the addon: no stat per call). */
function liveClocks(): ClockReader | null {
  if (addonClocks === undefined) {
    try {
      addonClocks = loadAddon().clocks;
    } catch {
      addonClocks = null;
    }
  }
  return addonClocks;
}

/** Current CLOCK_BOOTTIME ns (addon when available, else derived from Date.now()). */
export function nowBootNs(offset: ClockOffset = clockOffset()): bigint {
  const read = liveClocks();
  return read !== null ? read().boottimeNs : BigInt(Date.now()) * 1_000_000n - offset.bootToEpochNs;
}

/** Clock ticks (USER_HZ = 100) of a boot-time ns value: /proc/PID/stat field 22 for a start time. */
export function bootNsToTicks(bootNs: bigint): bigint {
  return bootNs / 10_000_000n;
}

/** The live clock the service and the API use: the measured offset and "now" in boot ns. */
export function systemClock(): Clock {
  const offset = clockOffset();
  return { bootToEpochNs: offset.bootToEpochNs, nowBootNs: () => nowBootNs(offset) };
}
