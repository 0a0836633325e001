/**
 * Name and address normalisation for the DNS graph.
 *
 * One spelling per node: names are lowercase without the trailing dot (the seed compared
 * `Example.com.` and `example.com` as different names); addresses are canonical
 * (dotted quad, RFC 5952 IPv6); reverse names (`4.3.2.1.in-addr.arpa`, 32-nibble
 * `ip6.arpa`) become the address they stand for, reversed (the seed only cut the suffix).
 */
import { isIP } from 'node:net';

/** What a DNS owner/target name denotes in the graph: a name node or an address node. */
export interface NodeKey {
  readonly kind: 'name' | 'address';
  readonly value: string;
}

/** Lowercase, strip trailing dots; `.` (the root) becomes the empty string. */
export function normalizeName(name: string): string {
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) === 46 /* . */) end--;
  const cut = end === name.length ? name : name.slice(0, end);
  return cut.toLowerCase();
}

const V4_SUFFIX = '.in-addr.arpa';
const V6_SUFFIX = '.ip6.arpa';

/** The address a full reverse name stands for, or undefined (partial zones, RFC 2317 names). */
export function reverseNameToAddress(normalized: string): string | undefined {
  if (normalized.endsWith(V4_SUFFIX)) {
    const labels = normalized.slice(0, -V4_SUFFIX.length).split('.');
    if (labels.length !== 4) return undefined;
    labels.reverse();
    return canonicalIPv4(labels.join('.'));
  }
  if (normalized.endsWith(V6_SUFFIX)) {
    const labels = normalized.slice(0, -V6_SUFFIX.length).split('.');
    if (labels.length !== 32) return undefined;
    const groups: number[] = [];
    for (let g = 0; g < 8; g++) {
      let v = 0;
      for (let k = 0; k < 4; k++) {
        // Nibbles are least significant first: label 31 is the top nibble of group 0.
        const label = labels[31 - (g * 4 + k)]!;
        if (label.length !== 1) return undefined;
        const n = parseInt(label, 16);
        if (Number.isNaN(n)) return undefined;
        v = (v << 4) | n;
      }
      groups.push(v);
    }
    return formatIPv6(groups);
  }
  return undefined;
}

/** The reverse-lookup name of an address (inverse of reverseNameToAddress). */
export function addressToReverseName(address: string): string | undefined {
  const canon = canonicalAddress(address);
  if (canon === undefined) return undefined;
  if (isIP(canon) === 4) return canon.split('.').reverse().join('.') + V4_SUFFIX;
  const groups = parseIPv6(canon)!;
  const nibbles: string[] = [];
  for (let g = 7; g >= 0; g--) {
    for (let k = 0; k < 4; k++) nibbles.push(((groups[g]! >> (4 * k)) & 0xf).toString(16));
  }
  return nibbles.join('.') + V6_SUFFIX;
}

/** Map a (raw) DNS name to its node: reverse names become address nodes. */
export function nodeKeyOfName(raw: string): NodeKey {
  const value = normalizeName(raw);
  if (value.endsWith('.arpa')) {
    const address = reverseNameToAddress(value);
    if (address !== undefined) return { kind: 'address', value: address };
  }
  return { kind: 'name', value };
}

/** Canonical text of an IPv4 or IPv6 address, or undefined when it is not one. */
export function canonicalAddress(text: string): string | undefined {
  if (!text.includes(':')) return canonicalIPv4(text);
  // Most answers already arrive in canonical form: recognised in one pass, no allocation.
  if (isCanonicalIPv6(text)) return text;
  // Memoised: the same few addresses come back in every answer, and parsing + RFC 5952
  // formatting costs ~1 µs. Bounded: cleared when full (misses only cost the parse).
  const hit = v6Memo.get(text);
  if (hit !== undefined) return hit === '' ? undefined : hit;
  // parseIPv6 validates every group itself (node:net's isIP regex costs ~1 µs per call).
  const groups = parseIPv6(text);
  const canon = groups === undefined ? undefined : formatIPv6(groups);
  if (text.length <= 64) {
    if (v6Memo.size >= V6_MEMO_MAX) v6Memo.clear();
    v6Memo.set(text, canon ?? '');
  }
  return canon;
}

/** The groups written, and all eight, of the address isCanonicalIPv6 checks (reused). */
const v6Groups = new Int32Array(8);
const v6Full = new Int32Array(8);

/**
 * True when `text` is an IPv6 address exactly as RFC 5952 writes it: lowercase hex groups
 * without leading zeros, `::` for the longest run (the first of equal ones) of two or more
 * zero groups and nowhere else, no dotted tail (an IPv4-mapped address is written with
 * one, so its hex form is not canonical either). False means "not known canonical": the
 * full parser decides then.
 */
export function isCanonicalIPv6(text: string): boolean {
  const groups = v6Groups;
  let n = 0; // groups written
  let gap = -1; // index of the group after `::`
  let value = 0;
  let digits = 0;
  const end = text.length;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 58; /* a final ':' closes the last group */
    if (c === 58) {
      if (digits === 0) {
        // Empty group: only as `::`, once; at the very start it needs its second ':' next.
        if (i === 0) {
          if (text.charCodeAt(1) !== 58) return false;
          continue;
        }
        if (i === end) {
          if (gap !== n || text.charCodeAt(end - 1) !== 58) return false; // "...::" ends here
          break;
        }
        if (text.charCodeAt(i - 1) !== 58 || gap >= 0) return false;
        gap = n;
        continue;
      }
      if (n === 8) return false;
      groups[n++] = value;
      value = 0;
      digits = 0;
    } else {
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else return false; // uppercase, a dotted tail, a zone id, anything else
      if (digits > 0 && value === 0) return false; // a leading zero
      if (++digits > 4) return false;
      value = value * 16 + d;
    }
  }
  const fill = gap < 0 ? 0 : 8 - n;
  if (gap < 0 ? n !== 8 : fill < 2) return false;
  // The full eight groups (the gap's are zero).
  const full = v6Full;
  for (let k = 0, j = 0; k < 8; k++) full[k] = gap >= 0 && k >= gap && k < gap + fill ? 0 : groups[j++]!;
  if (isIPv4Mapped(full)) return false; // written with a dotted tail
  const run = longestZeroRun(full);
  const bestStart = run >> 4;
  const bestLen = run & 15;
  return bestLen < 2 ? gap < 0 : gap === bestStart && fill === bestLen;
}

const V6_MEMO_MAX = 8192;
/** IPv6 text → canonical text ('' for invalid input). */
const v6Memo = new Map<string, string>();

/** Dotted quad with 0-255 parts; returns the input itself when already canonical (no copy). */
function canonicalIPv4(text: string): string | undefined {
  let parts = 0;
  let value = 0;
  let digits = 0;
  let canonical = true;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; /* a final '.' closes the last part */
    if (c === 46) {
      if (digits === 0 || value > 255) return undefined;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) canonical = false; // leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3) return undefined;
    } else return undefined;
  }
  if (parts !== 4) return undefined;
  return canonical ? text : text.split('.').map((p) => String(Number(p))).join('.');
}

/** Eight 16-bit groups of an IPv6 text (with `::` and an optional dotted IPv4 tail). */
function parseIPv6(text: string): number[] | undefined {
  if (text.includes('%')) return undefined; // zone ids are not addresses in DNS answers
  let body = text.toLowerCase();
  const lastColon = body.lastIndexOf(':');
  if (body.indexOf('.', lastColon) !== -1) {
    // A dotted IPv4 tail stands for the last two groups: rewrite it as hex and parse on.
    const v4 = canonicalIPv4(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    const o = v4.split('.').map(Number);
    body = `${body.slice(0, lastColon + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = hexGroups(halves[0]!);
  const rest = halves.length === 2 ? hexGroups(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

function hexGroups(s: string): number[] | undefined {
  if (s === '') return [];
  const out: number[] = [];
  for (const h of s.split(':')) {
    if (!/^[0-9a-f]{1,4}$/.test(h)) return undefined;
    out.push(parseInt(h, 16));
  }
  return out;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (>= 2) of zero groups as `::`. */
function formatIPv6(groups: readonly number[]): string {
  // IPv4-mapped addresses keep the dotted tail (RFC 5952 section 5).
  if (isIPv4Mapped(groups)) {
    const a = groups[6]!;
    const b = groups[7]!;
    return `::ffff:${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
  }
  const run = longestZeroRun(groups);
  const bestStart = run >> 4;
  const bestLen = run & 15;
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** ::ffff:0:0/96, which RFC 5952 writes with a dotted IPv4 tail. */
function isIPv4Mapped(groups: ArrayLike<number>): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

/**
 * The longest run of zero groups among eight (the first of equal ones), packed as
 * `start << 4 | length` (length 0: none) so that the check on the hot path allocates nothing.
 */
function longestZeroRun(groups: ArrayLike<number>): number {
  let bestStart = 0;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  return (bestStart << 4) | bestLen;
}
