/**
 * Opaque pagination cursors. A cursor names the last item of a page by its sort key
 * (pid, start ns); the next page starts strictly after it, so items that appear or vanish
 * between requests never shift later pages.
 */
import type { BootNs } from '../events/types.js';

/** Position after which the next page starts. */
export interface CursorPosition {
  readonly pid: number;
  readonly startNs: BootNs;
}

const DECODED = /^p1:(\d{1,10}):(\d{1,20})$/;

/** Encode a position as a URL-safe opaque string. */
export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(`p1:${pos.pid}:${pos.startNs}`).toString('base64url');
}

/** Decode a cursor; undefined when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  if (cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const m = DECODED.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (m === null) return undefined;
  return { pid: Number(m[1]), startNs: BigInt(m[2] as string) };
}
