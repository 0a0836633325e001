/**
 * API time: RFC 3339 strings with nanosecond precision and exact epoch-ns integers.
 *
 * Every timestamp is a `bigint`: epoch nanoseconds exceed 2^53, so a `number` (or `Date`)
 * would silently round. `Date` is used only for the calendar arithmetic of whole seconds,
 * where it is exact.
 */
import type { BootNs } from '../events/types.js';

/** Epoch nanoseconds (CLOCK_REALTIME). */
export type EpochNs = bigint;

/** Boot-time ↔ wall-clock conversion, measured once at start-up by the caller. */
export interface Clock {
  /** `CLOCK_REALTIME - CLOCK_BOOTTIME` in ns: epochNs = bootNs + bootToEpochNs. */
  readonly bootToEpochNs: bigint;
  /** Current CLOCK_BOOTTIME in ns. */
  nowBootNs(): BootNs;
}

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const EPOCH_NS_INT = /^\d{1,20}$/;
/** Largest accepted epoch ns (year 9999); larger integers are surely a unit mistake. */
const MAX_EPOCH_NS = 253402300799999999999n;

/** Days in `month` (1-12) of `year`, proleptic Gregorian. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parse an API time: RFC 3339 with 0-9 fractional digits and `Z` or an offset, or an
 * epoch-ns integer string. Returns undefined for anything else (never throws).
 */
export function parseTime(input: string): EpochNs | undefined {
  if (typeof input !== 'string' || input.length > 40) return undefined;
  if (EPOCH_NS_INT.test(input)) {
    const v = BigInt(input);
    return v <= MAX_EPOCH_NS ? v : undefined;
  }
  const m = RFC3339.exec(input);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // RFC 3339 allows second 60 (leap second); POSIX time has no such second, so it
  // is read as the first instant of the next minute, like every POSIX clock does.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMin = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const ms = date.getTime() - offsetMin * 60_000;
  const frac = m[7] === undefined ? 0n : BigInt(m[7].padEnd(9, '0'));
  return BigInt(ms) * NS_PER_MS + frac;
}

// Formatting is on every response's hot path: the calendar part of a second is cached
// (bounded; cleared when full) and the ns digits come from the decimal string directly.
const secondPrefix = new Map<string, string>();
const PREFIX_CACHE_MAX = 4096;

/** The last second formatted: consecutive requests for "now" mostly fall in one second. */
let lastSec = '';
let lastPrefix = '';

function prefixOf(sec: string): string {
  if (sec === lastSec) return lastPrefix;
  let p = secondPrefix.get(sec);
  if (p === undefined) {
    if (secondPrefix.size >= PREFIX_CACHE_MAX) secondPrefix.clear();
    p = new Date(Number(sec) * 1000).toISOString().slice(0, -5); // "YYYY-MM-DDTHH:MM:SS"
    secondPrefix.set(sec, p);
  }
  lastSec = sec;
  lastPrefix = p;
  return p;
}

/** formatTime of a non-negative epoch ns given as its decimal digits (callers that print both). */
export function formatEpochDigits(digits: string): string {
  if (digits.length <= 9) return `${prefixOf('0')}.${digits.padStart(9, '0')}Z`;
  return `${prefixOf(digits.slice(0, -9))}.${digits.slice(-9)}Z`;
}

/** Format epoch ns as RFC 3339 UTC with exactly nine fractional digits. */
export function formatTime(epochNs: EpochNs): string {
  if (epochNs >= 0n) return formatEpochDigits(epochNs.toString());
  let sec = epochNs / NS_PER_S;
  let ns = epochNs % NS_PER_S;
  if (ns < 0n) {
    ns += NS_PER_S;
    sec -= 1n;
  }
  return `${prefixOf(sec.toString())}.${ns.toString().padStart(9, '0')}Z`;
}

/** Boot ns → epoch ns. */
export function bootToEpoch(clock: Clock, bootNs: BootNs): EpochNs {
  return bootNs + clock.bootToEpochNs;
}

/** Epoch ns → boot ns (negative before boot: nothing existed then). */
export function epochToBoot(clock: Clock, epochNs: EpochNs): BootNs {
  return epochNs - clock.bootToEpochNs;
}

/** Boot ns as an RFC 3339 string. */
export function formatBoot(clock: Clock, bootNs: BootNs): string {
  return formatTime(bootNs + clock.bootToEpochNs);
}

/**
 * Resolve an optional `at` parameter to boot ns: undefined → now; a string is parsed
 * with {@link parseTime}. Returns undefined when the string is malformed.
 */
export function resolveAt(clock: Clock, at: string | undefined): BootNs | undefined {
  if (at === undefined) return clock.nowBootNs();
  const epoch = parseTime(at);
  return epoch === undefined ? undefined : epoch - clock.bootToEpochNs;
}
