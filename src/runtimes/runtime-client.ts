/**
 * What the enricher needs from a container runtime API: inspect one container by id.
 * Clients speak HTTP over the runtime's unix socket (undici); each call has a deadline.
 */
import type { ContainerEnrichment } from '../caches/container-model.js';

/** Result of an inspect: the runtime's facts, or "no such container" (a definite answer). */
export type InspectResult = { readonly status: 'ok'; readonly data: ContainerEnrichment } | { readonly status: 'not_found' };

/** What the cache knows of a container that helps its runtime find it (containerd: the namespace). */
export interface InspectHint {
  /** The container's cgroup paths (inside their hierarchies). */
  readonly cgroupPaths?: readonly string[];
}

/** A runtime API client (Docker-compatible, CRI-O, ...). Failures are thrown. */
export interface RuntimeClient {
  /** `docker`, `podman`, `crio`, ... (the API flavour and the default socket it came from). */
  readonly kind: string;
  readonly socketPath: string;
  /** Whether the socket file exists now (daemons may start after proctrail). */
  available(): boolean;
  /** Inspect a container; throws on transport errors, timeouts and unexpected statuses. */
  inspect(id: string, hint?: InspectHint): Promise<InspectResult>;
  close(): Promise<void>;
}

/** Default unix sockets of the runtimes, in detection order. */
export const DEFAULT_SOCKETS: Readonly<Record<'docker' | 'podman' | 'containerd' | 'crio', readonly string[]>> = Object.freeze({
  podman: ['/run/podman/podman.sock'],
  docker: ['/var/run/docker.sock', '/run/docker.sock'],
  containerd: ['/run/containerd/containerd.sock'],
  crio: ['/var/run/crio/crio.sock', '/run/crio/crio.sock'],
});

/** Deadline of one runtime API call (the seed's 10 s). */
export const DEFAULT_TIMEOUT_MS = 10_000;
