/**
 * DNS over TCP: each message is prefixed by a 2-byte big-endian length (RFC 1035 4.2.2)
 * and a message may span segments, so bytes are buffered per stream (socket cookie and
 * direction) until whole messages can be cut out. Pure and bounded: stream count and
 * per-stream bytes are capped; overflow and desynchronisation reset the stream.
 */

/** Bounds of the reassembler. */
export interface TcpReassemblyOptions {
  /** Streams buffered at once; the least recently used is dropped beyond it. Default 4096. */
  readonly maxStreams?: number;
  /** Bytes buffered per stream (one maximal message is 2 + 65535). Default 65537. */
  readonly maxBufferedBytes?: number;
}

/** Counters of the reassembler. */
export interface TcpReassemblyStats {
  readonly streams: number;
  /** Streams dropped for the stream bound. */
  readonly evictedStreams: number;
  /** Streams reset because a length prefix was 0 or the buffer bound was hit. */
  readonly resets: number;
  /** Messages cut out. */
  readonly messages: number;
}

interface Stream {
  buf: Buffer;
  len: number;
}

/** Reassembles length-prefixed DNS messages per stream key. */
export class TcpDnsReassembler {
  readonly #maxStreams: number;
  readonly #maxBytes: number;
  readonly #streams = new Map<string, Stream>();
  #evicted = 0;
  #resets = 0;
  #messages = 0;

  constructor(options: TcpReassemblyOptions = {}) {
    this.#maxStreams = options.maxStreams ?? 4096;
    this.#maxBytes = options.maxBufferedBytes ?? 65537;
    if (!Number.isInteger(this.#maxStreams) || this.#maxStreams < 1) throw new TypeError('maxStreams must be a positive integer');
    if (!Number.isInteger(this.#maxBytes) || this.#maxBytes < 2) throw new TypeError('maxBufferedBytes must be an integer >= 2');
  }

  /**
   * Append a segment's payload to stream `key` and call `emit` with each complete message
   * (without its length prefix); `emit` returns false to reject a message (it did not
   * parse), which drops the stream. Returns false when the stream was reset.
   */
  push(key: string, segment: Uint8Array, emit: (message: Buffer) => boolean): boolean {
    if (segment.length === 0) return true;
    let s = this.#streams.get(key);
    if (s === undefined) {
      s = { buf: Buffer.allocUnsafe(Math.max(512, segment.length)), len: 0 };
    } else {
      this.#streams.delete(key); // re-inserted below: Map order is recency order
    }
    if (s.len + segment.length > this.#maxBytes) {
      this.#resets++;
      return false;
    }
    if (s.len + segment.length > s.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#maxBytes, Math.max(s.buf.length * 2, s.len + segment.length)));
      s.buf.copy(grown, 0, 0, s.len);
      s.buf = grown;
    }
    s.buf.set(segment, s.len);
    s.len += segment.length;

    let off = 0;
    while (s.len - off >= 2) {
      const size = s.buf.readUInt16BE(off);
      if (size === 0) {
        // No DNS message is empty: we joined mid-stream or the stream is garbage.
        this.#resets++;
        return false;
      }
      if (s.len - off < 2 + size) break;
      this.#messages++;
      // Copy: the buffer is reused for the next segments.
      if (!emit(Buffer.from(s.buf.subarray(off + 2, off + 2 + size)))) {
        // Framing is lost: resynchronise at the next segment, which usually starts a message.
        this.#resets++;
        return false;
      }
      off += 2 + size;
    }
    if (off > 0) {
      s.buf.copy(s.buf, 0, off, s.len);
      s.len -= off;
    }
    if (s.len > 0) {
      this.#streams.set(key, s);
      while (this.#streams.size > this.#maxStreams) {
        const oldest = this.#streams.keys().next().value as string;
        this.#streams.delete(oldest);
        this.#evicted++;
      }
    }
    return true;
  }

  /** Forget a stream (its bytes can no longer be trusted). */
  reset(key: string): void {
    if (this.#streams.delete(key)) this.#resets++;
  }

  /** Sizes and counters. */
  stats(): TcpReassemblyStats {
    return { streams: this.#streams.size, evictedStreams: this.#evicted, resets: this.#resets, messages: this.#messages };
  }
}
