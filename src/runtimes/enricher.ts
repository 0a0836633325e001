/**
 * Runtime enrichment, off the event path: containers the cache knows but has not enriched
 * are inspected through their runtime's API (asynchronously, a few at a time), and the
 * answer is merged with `ContainerCache.enrich`. Failures are counted and retried with
 * exponential backoff; the container is served without enrichment meanwhile.
 */
import type { ContainerRuntime } from '../caches/cgroup-path.js';
import type { ContainerCache } from '../caches/containers.js';
import type { BootNs } from '../events/types.js';
import { ContainerdClient } from './containerd-api.js';
import { CrioClient } from './crio-api.js';
import { DockerApiClient } from './docker-api.js';
import { DEFAULT_SOCKETS, DEFAULT_TIMEOUT_MS, type RuntimeClient } from './runtime-client.js';

/** Socket paths by API; undefined means the default ones, `''` disables that API. */
export interface RuntimeSockets {
  readonly docker?: string;
  readonly podman?: string;
  readonly crio?: string;
  readonly containerd?: string;
}

/** Options of {@link Enricher}. */
export interface EnricherOptions {
  readonly sockets?: RuntimeSockets;
  /** Deadline of one API call. Default 10 s. */
  readonly timeoutMs?: number;
  /** First retry delay; doubles per failure up to maxBackoffMs. Default 500 ms / 60 s. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Attempts at growing backoff; later ones run at maxBackoffMs (counted once as gaveUp). Default 8. */
  readonly maxAttempts?: number;
  /** Sweep for unenriched containers this often. Default 1000 ms. */
  readonly intervalMs?: number;
  /** Parallel API calls. Default 4. */
  readonly concurrency?: number;
  /** Boot-clock now (to stop trying containers removed long ago). */
  readonly now: () => BootNs;
  /** Called after a successful enrichment (latency measurements, logs). */
  readonly onEnriched?: (containerId: string) => void;
  /** Injected clients (tests); replaces socket detection. */
  readonly clients?: readonly RuntimeClient[];
}

/** Counters of the enricher (for /v1/stats). */
export interface EnricherStats {
  readonly sockets: ReadonlyArray<{ kind: string; path: string; present: boolean }>;
  readonly attempts: number;
  readonly enriched: number;
  readonly failures: number;
  readonly notFound: number;
  readonly noApi: number;
  readonly gaveUp: number;
  readonly pending: number;
  readonly inFlight: number;
  readonly lastError: string | undefined;
}

interface Job {
  attempts: number;
  nextAtMs: number;
  inFlight: boolean;
}

/** Which API kinds can describe a container of each runtime, in order of preference. */
const APIS_FOR: Readonly<Record<ContainerRuntime, readonly string[]>> = {
  podman: ['podman', 'docker'],
  docker: ['docker', 'podman'],
  crio: ['crio'],
  containerd: ['containerd'],
  garden: [],
  unknown: ['docker', 'podman', 'crio', 'containerd'],
};

/** Stop trying containers removed longer ago than this (their runtime has forgotten them). */
const GIVE_UP_AFTER_REMOVAL_NS = 60_000_000_000n;

/** Build the runtime clients: configured paths, else every default socket (present or not yet). */
export function runtimeClients(sockets: RuntimeSockets = {}, timeoutMs = DEFAULT_TIMEOUT_MS): RuntimeClient[] {
  const out: RuntimeClient[] = [];
  const paths = (kind: keyof typeof DEFAULT_SOCKETS): readonly string[] => {
    const v = sockets[kind];
    if (v === '') return [];
    return v !== undefined ? [v] : DEFAULT_SOCKETS[kind];
  };
  for (const p of paths('podman')) out.push(new DockerApiClient('podman', p, timeoutMs));
  for (const p of paths('docker')) out.push(new DockerApiClient('docker', p, timeoutMs));
  for (const p of paths('crio')) out.push(new CrioClient(p, timeoutMs));
  for (const p of paths('containerd')) out.push(new ContainerdClient(p, { timeoutMs }));
  return out;
}

/** Inspects unenriched containers through their runtimes' APIs. */
export class Enricher {
  readonly #cache: ContainerCache;
  readonly #clients: readonly RuntimeClient[];
  readonly #opts: Required<Omit<EnricherOptions, 'sockets' | 'onEnriched' | 'clients'>> & Pick<EnricherOptions, 'onEnriched'>;
  readonly #jobs = new Map<string, Job>();
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Immediate | undefined;
  #inFlight = 0;
  #closed = false;
  #attempts = 0;
  #enriched = 0;
  #failures = 0;
  #notFound = 0;
  #noApi = 0;
  #gaveUp = 0;
  #lastError: string | undefined;

  constructor(cache: ContainerCache, opts: EnricherOptions) {
    this.#cache = cache;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#clients = opts.clients ?? runtimeClients(opts.sockets, timeoutMs);
    this.#opts = {
      timeoutMs,
      baseBackoffMs: opts.baseBackoffMs ?? 500,
      maxBackoffMs: opts.maxBackoffMs ?? 60_000,
      maxAttempts: opts.maxAttempts ?? 8,
      intervalMs: opts.intervalMs ?? 1000,
      concurrency: opts.concurrency ?? 4,
      now: opts.now,
      onEnriched: opts.onEnriched,
    };
  }

  /** Start the periodic sweep (unenriched containers found by scan, snapshot or missed kicks). */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => this.#sweep(), this.#opts.intervalMs);
    this.#timer.unref();
    this.#sweep();
  }

  /** A container just appeared: try it now (cheap; called from the event path). */
  readonly kick = (containerId: string): void => {
    if (this.#closed || this.#jobs.has(containerId)) return;
    this.#jobs.set(containerId, { attempts: 0, nextAtMs: 0, inFlight: false });
    this.#schedule();
  };

  /** Stop timers and close the API connections. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#soon !== undefined) clearImmediate(this.#soon);
    this.#jobs.clear();
    await Promise.all(this.#clients.map((c) => c.close()));
  }

  /** Counters. */
  stats(): EnricherStats {
    return {
      sockets: this.#clients.map((c) => ({ kind: c.kind, path: c.socketPath, present: c.available() })),
      attempts: this.#attempts,
      enriched: this.#enriched,
      failures: this.#failures,
      notFound: this.#notFound,
      noApi: this.#noApi,
      gaveUp: this.#gaveUp,
      pending: this.#jobs.size,
      inFlight: this.#inFlight,
      lastError: this.#lastError,
    };
  }

  #schedule(): void {
    if (this.#soon !== undefined || this.#closed) return;
    this.#soon = setImmediate(() => {
      this.#soon = undefined;
      this.#run();
    });
  }

  #sweep(): void {
    for (const id of this.#cache.unenriched()) {
      if (!this.#jobs.has(id)) this.#jobs.set(id, { attempts: 0, nextAtMs: 0, inFlight: false });
    }
    this.#run();
  }

  #run(): void {
    const nowMs = Date.now();
    for (const [id, job] of this.#jobs) {
      if (this.#inFlight >= this.#opts.concurrency) return;
      if (job.inFlight || job.nextAtMs > nowMs) continue;
      void this.#attempt(id, job);
    }
  }

  async #attempt(id: string, job: Job): Promise<void> {
    const found = this.#cache.resolveContainer(id);
    const c = found.status === 'found' && found.container.id === id ? found.container : undefined;
    if (c === undefined || c.enriched) {
      this.#jobs.delete(id);
      return;
    }
    if (c.removedAt !== undefined && this.#opts.now() - c.removedAt > GIVE_UP_AFTER_REMOVAL_NS) {
      this.#jobs.delete(id);
      this.#gaveUp++;
      return;
    }
    const kinds = APIS_FOR[c.runtime] ?? [];
    const clients = kinds.flatMap((k) => this.#clients.filter((cl) => cl.kind === k && cl.available()));
    if (clients.length === 0) {
      this.#noApi++;
      this.#retry(id, job, undefined);
      return;
    }
    job.inFlight = true;
    this.#inFlight++;
    this.#attempts++;
    let outcome: 'ok' | 'not_found' | 'error' = 'not_found';
    let error: string | undefined;
    try {
      for (const client of clients) {
        try {
          const r = await client.inspect(id, { cgroupPaths: c.cgroups.map((g) => g.path) });
          if (r.status === 'ok') {
            this.#cache.enrich(id, r.data);
            outcome = 'ok';
            break;
          }
        } catch (e) {
          outcome = 'error';
          error = `${client.kind} ${client.socketPath}: ${(e as Error).message}`;
        }
      }
    } finally {
      job.inFlight = false;
      this.#inFlight--;
    }
    if (this.#closed) return;
    if (outcome === 'ok') {
      this.#jobs.delete(id);
      this.#enriched++;
      this.#opts.onEnriched?.(id);
    } else {
      if (outcome === 'error') this.#failures++;
      else this.#notFound++;
      this.#retry(id, job, error);
    }
    this.#schedule();
  }

  #retry(id: string, job: Job, error: string | undefined): void {
    if (error !== undefined) this.#lastError = error;
    job.attempts++;
    // Past maxAttempts the container is only retried at the longest backoff (the sweep would
    // otherwise re-queue it at once); it stays served without enrichment.
    if (job.attempts === this.#opts.maxAttempts) this.#gaveUp++;
    void id;
    const delay = job.attempts >= this.#opts.maxAttempts
      ? this.#opts.maxBackoffMs
      : Math.min(this.#opts.maxBackoffMs, this.#opts.baseBackoffMs * 2 ** (job.attempts - 1));
    job.nextAtMs = Date.now() + delay;
  }
}
