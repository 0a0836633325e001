/**
 * The eBPF event source: loads the native addon (native/build/Release/proctrail.node),
 * which loads the BPF programs and drains their ring buffer in batches; each batch is
 * decoded here and handed to the sink. Use `EbpfSource.probe()` first to decide whether
 * to fall back to procfs polling.
 */
import { accessSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { assertLayout } from '../events/layout.js';
import { BatchDecoder } from '../events/decoder.js';
import type { EventSink, EventSource, SourceStats } from './source.js';

/** Where scripts/build-native puts the addon. */
export const DEFAULT_ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/proctrail.node', import.meta.url));

/** Options of the native Tracer (all optional; defaults in brackets). */
export interface EbpfOptions {
  /** Kernel ring buffer size, rounded up to a power of two [16 MiB]. */
  readonly ringBytes?: number;
  /** Force a reader wake-up once this many bytes are pending; 0 wakes per record [ringBytes / 8]. */
  readonly wakeupThresholdBytes?: number;
  /** Flush a batch at this many records [4096]. */
  readonly batchMaxRecords?: number;
  /** Flush a batch at this many bytes [1 MiB]. */
  readonly batchMaxBytes?: number;
  /** Flush a non-empty batch when its oldest record is this old [5 ms]. */
  readonly batchMaxAgeMs?: number;
  /** Ring poll timeout when idle: the latency bound since records do not wake the reader [10 ms]. */
  readonly pollIntervalMs?: number;
  /** Batches waiting for JS before the reader stops draining the ring [64]. */
  readonly queueMaxBatches?: number;
  /** Capture DNS packets with cgroup_skb on the cgroup2 root; failure leaves process tracing on [false]. */
  readonly dns?: boolean;
  /** Which hierarchy task cgroup ids come from: 'auto' (unified when mounted), 'unified', or a v1 controller name ['auto']. */
  readonly cgroupHierarchy?: string;
  /** Path of proctrail.node [DEFAULT_ADDON_PATH]. */
  readonly addonPath?: string;
}

/** Counters of the native reader (see native/src/tracer.cc). */
export interface NativeStats {
  recordsRead: number;
  bytesRead: number;
  batches: number;
  maxBatchRecords: number;
  bpfReserveDrops: number;
  addonDrops: number;
  queueFullStalls: number;
  pendingBatches: number;
  ringBytes: number;
  cgroupHierarchy: string;
  dnsAttached: boolean;
  dnsError: string;
  cgroup2Mount: string;
  running: boolean;
  /** Kernel ids of the loaded programs (empty after stop). */
  programIds: number[];
}

/** The native Tracer object. Constructing it loads and attaches the programs. */
export interface NativeTracer {
  start(onBatch: (batch: Buffer) => void): void;
  stop(): void;
  stats(): NativeStats;
}

/** The addon module's exports. */
export interface NativeAddon {
  Tracer: new (options: Omit<EbpfOptions, 'addonPath'>) => NativeTracer;
  layout(): unknown;
  clocks(): { realtimeNs: bigint; boottimeNs: bigint };
}

/** Result of EbpfSource.probe(): usable, or the reason why not. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly reason: string;
}

const requireNative = createRequire(import.meta.url);
const addonCache = new Map<string, NativeAddon>();

/** Loads the addon (cached); throws an Error saying how to build it when missing. */
export function loadAddon(path: string = DEFAULT_ADDON_PATH): NativeAddon {
  const cached = addonCache.get(path);
  if (cached) return cached;
  if (!existsSync(path)) throw new Error(`native addon not built: ${path} is missing (run scripts/build-native)`);
  let mod: NativeAddon;
  try {
    mod = requireNative(path) as NativeAddon;
  } catch (err) {
    throw new Error(`native addon ${path} failed to load (needs libbpf1, libelf1, zlib1g): ${(err as Error).message}`);
  }
  addonCache.set(path, mod);
  return mod;
}

// Capability bits from linux/capability.h.
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

/** Yields decoded batches from the kernel. */
export class EbpfSource implements EventSource {
  readonly name = 'ebpf';
  readonly #options: EbpfOptions;
  readonly #decoder = new BatchDecoder();
  #tracer: NativeTracer | undefined;
  #lastNative: NativeStats | undefined;
  #eventsDelivered = 0;
  #sinkErrors = 0;

  constructor(options: EbpfOptions = {}) {
    for (const [k, v] of Object.entries(options)) {
      if (typeof v === 'number' && (!Number.isFinite(v) || v < 0)) throw new TypeError(`EbpfSource option ${k} must be a non-negative number`);
    }
    this.#options = options;
  }

  /** Whether eBPF tracing can work here, and if not, why (for the procfs fallback log line). */
  static probe(addonPath: string = DEFAULT_ADDON_PATH): ProbeResult {
    if (process.platform !== 'linux') return { ok: false, reason: 'eBPF needs Linux' };
    const caps = effectiveCaps();
    const has = (bit: bigint): boolean => ((caps >> bit) & 1n) === 1n;
    if (!(has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON)))) {
      return { ok: false, reason: 'needs CAP_BPF/root (CAP_BPF + CAP_PERFMON, or CAP_SYS_ADMIN)' };
    }
    try {
      accessSync('/sys/kernel/btf/vmlinux', fsConstants.R_OK);
    } catch {
      return { ok: false, reason: 'kernel has no BTF at /sys/kernel/btf/vmlinux' };
    }
    try {
      const addon = loadAddon(addonPath);
      assertLayout(addon.layout());
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    return { ok: true, reason: '' };
  }

  /** Loads and attaches the programs, then delivers decoded batches to `sink`. Rejects with what is missing. */
  async start(sink: EventSink): Promise<void> {
    if (this.#tracer) throw new Error('EbpfSource already started');
    const { addonPath, ...native } = this.#options;
    const addon = loadAddon(addonPath);
    assertLayout(addon.layout());
    const tracer = new addon.Tracer(native);
    this.#tracer = tracer;
    tracer.start((batch) => {
      const events = this.#decoder.decode(batch);
      if (events.length === 0) return;
      this.#eventsDelivered += events.length;
      try {
        sink(events);
      } catch {
        // A failing consumer must not stop the reader; it is counted in stats().
        this.#sinkErrors++;
      }
    });
  }

  /** Detaches every program and frees the ring; idempotent. */
  async stop(): Promise<void> {
    const t = this.#tracer;
    if (!t) return;
    t.stop();
    this.#lastNative = t.stats();
    this.#tracer = undefined;
  }

  /** Kernel ids of the loaded BPF programs (empty when not running). */
  programIds(): number[] {
    return this.#tracer?.stats().programIds ?? [];
  }

  /** Native reader counters merged with decoder counters (prefixed `decoder`). */
  stats(): SourceStats {
    const { programIds, ...n } = this.#tracer?.stats() ?? this.#lastNative ?? { running: false, programIds: [] };
    const d = this.#decoder.stats();
    return {
      ...n,
      // Comma-separated kernel program ids: what to look for in `bpftool prog show`.
      programIds: programIds.join(','),
      decoderBatches: d.batches,
      decoderRecords: d.records,
      decoderDecoded: d.decoded,
      decoderUnknownType: d.unknownType,
      decoderShortRecords: d.shortRecords,
      decoderGarbage: d.garbage,
      eventsDelivered: this.#eventsDelivered,
      sinkErrors: this.#sinkErrors,
    };
  }
}
