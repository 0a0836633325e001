/**
 * containerd's gRPC API on its unix socket (`Containers/Get`, `Images/Get`), with
 * @grpc/grpc-js and the hand-written subset of containerd's protos in ./proto/. containerd
 * scopes everything by namespace (the `containerd-namespace` metadata header): it comes
 * from the container's cgroup path (`/<namespace>/<id>` for ctr/nerdctl with the cgroupfs
 * manager; kubelet's CRI containers live in `k8s.io`), then the configured fallbacks.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { credentials, Client, Metadata, status as GrpcStatus, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import type { ContainerEnrichment } from '../caches/container-model.js';
import { definedEnrichment } from '../caches/container-enrichment.js';
import { podFromLabels } from './labels.js';
import { obj, str, strMap } from './http-socket.js';
import { DEFAULT_TIMEOUT_MS, type InspectHint, type InspectResult, type RuntimeClient } from './runtime-client.js';

/** Namespaces tried after the one the cgroup path names (ctr's default, then kubelet's). */
export const DEFAULT_CONTAINERD_NAMESPACES: readonly string[] = ['default', 'k8s.io'];

/** Metadata header carrying the namespace (containerd's `namespaces.GRPCHeader`). */
const NAMESPACE_HEADER = 'containerd-namespace';

// containerd's namespace rule (pkg/identifiers): alphanumerics separated by . _ -, ≤ 76.
const IDENTIFIER = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/** The namespace a cgroup path places container `id` in, or undefined when it does not say. */
export function containerdNamespaceFromPath(path: string, id: string): string | undefined {
  const parts = path.split('/').filter((p) => p.length > 0);
  // `/<namespace>/<id>` (and sub-cgroups under it), as containerd's cgroupfs layout writes.
  if (parts.length >= 2 && parts[1] === id && IDENTIFIER.test(parts[0]!) && parts[0]!.length <= 76) {
    return parts[0] === 'kubepods' ? 'k8s.io' : parts[0];
  }
  // kubelet's pods (cgroupfs `kubepods/.../pod<uid>/<id>`, systemd `cri-containerd-<id>.scope`).
  if (parts.some((p) => p.startsWith('kubepods') || p.includes('cri-containerd'))) return 'k8s.io';
  return undefined;
}

/** A google.protobuf.Timestamp as decoded (longs as strings). */
interface Timestamp { seconds?: string; nanos?: number }

/** The decoded `containerd.services.containers.v1.Container` subset. */
export interface ContainerdContainer {
  id?: string;
  labels?: Record<string, string>;
  image?: string;
  runtime?: { name?: string };
  snapshotter?: string;
  createdAt?: Timestamp;
  sandbox?: string;
}

/** Map a containerd Container (and its image's digest) to enrichment (pure). */
export function containerdToEnrichment(doc: unknown, imageDigest?: string): ContainerEnrichment {
  const d = obj(doc) ?? {};
  const labels = strMap(d.labels);
  const pod = podFromLabels(labels);
  // CRI containers carry their Kubernetes name; ctr/nerdctl ones are named by their id.
  const name = str(labels?.['io.kubernetes.container.name']) ?? str(labels?.['nerdctl/name']) ?? str(d.id);
  const image = str(d.image);
  return definedEnrichment({ name, image, imageDigest, labels, pod });
}

function protoPath(file: string): string {
  // Next to this module in src/; dist/ gets a copy from scripts/setup, else fall back to src/.
  for (const rel of [`./proto/${file}`, `../../src/runtimes/proto/${file}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`containerd proto ${file} not found`);
}

let protos: PackageDefinition | undefined;
function definitions(): PackageDefinition {
  protos ??= loadSync([protoPath('containerd.proto'), protoPath('containerd-images.proto')], {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
  });
  return protos;
}

function method(service: string, name: string): MethodDefinition<object, unknown> {
  const svc = definitions()[service] as Record<string, MethodDefinition<object, unknown>> | undefined;
  const m = svc?.[name];
  if (m === undefined) throw new Error(`${service}/${name} missing from the containerd protos`);
  return m;
}

/** Options of {@link ContainerdClient}. */
export interface ContainerdClientOptions {
  readonly timeoutMs?: number;
  /** Namespaces tried when the cgroup path names none (or the container is not there). */
  readonly namespaces?: readonly string[];
}

/** containerd gRPC client (one channel, created on first use). */
export class ContainerdClient implements RuntimeClient {
  readonly kind = 'containerd';
  readonly #timeoutMs: number;
  readonly #namespaces: readonly string[];
  #client: Client | undefined;

  constructor(
    readonly socketPath: string,
    opts: ContainerdClientOptions = {},
  ) {
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#namespaces = opts.namespaces ?? DEFAULT_CONTAINERD_NAMESPACES;
  }

  available(): boolean {
    return existsSync(this.socketPath);
  }

  /** Namespaces to try for `id`, most likely first. */
  namespacesFor(id: string, hint?: InspectHint): string[] {
    const out: string[] = [];
    for (const p of hint?.cgroupPaths ?? []) {
      const ns = containerdNamespaceFromPath(p, id);
      if (ns !== undefined && !out.includes(ns)) out.push(ns);
    }
    for (const ns of this.#namespaces) if (!out.includes(ns)) out.push(ns);
    return out;
  }

  async inspect(id: string, hint?: InspectHint): Promise<InspectResult> {
    for (const ns of this.namespacesFor(id, hint)) {
      const res = await this.#unary<{ container?: ContainerdContainer }>('containerd.services.containers.v1.Containers', 'Get', { id }, ns);
      if (res === 'not_found' || res.container === undefined) continue;
      const image = str(res.container.image);
      let digest: string | undefined;
      if (image !== undefined) {
        // The image may be gone while the container lives on: then no digest, not a failure.
        const img = await this.#unary<{ image?: { target?: { digest?: string } } }>('containerd.services.images.v1.Images', 'Get', { name: image }, ns);
        if (img !== 'not_found') digest = str(img.image?.target?.digest);
      }
      const data = containerdToEnrichment(res.container, digest);
      return { status: 'ok', data: { ...data, labels: { ...(data.labels ?? {}), ...namespaceLabel(ns) } } };
    }
    return { status: 'not_found' };
  }

  /** One unary call with the namespace header and a deadline; NOT_FOUND is an answer, the rest throws. */
  #unary<T>(service: string, name: string, req: object, namespace: string): Promise<T | 'not_found'> {
    const m = method(service, name);
    this.#client ??= new Client(`unix://${this.socketPath}`, credentials.createInsecure(), {
      // containerd's default server limit; our answers are small (the spec is never decoded).
      'grpc.max_receive_message_length': 16 << 20,
    });
    const md = new Metadata();
    md.set(NAMESPACE_HEADER, namespace);
    const client = this.#client;
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        req,
        md,
        { deadline: Date.now() + this.#timeoutMs },
        (err: ServiceError | null, value?: unknown) => {
          if (err === null) resolve((value ?? {}) as T);
          else if (err.code === GrpcStatus.NOT_FOUND) resolve('not_found');
          else reject(new Error(`containerd ${name} (${namespace}): ${err.details || err.message}`));
        },
      );
    });
  }

  close(): Promise<void> {
    this.#client?.close();
    this.#client = undefined;
    return Promise.resolve();
  }
}

/** The namespace is part of a containerd container's identity: kept as a pseudo-label. */
function namespaceLabel(ns: string): Record<string, string> {
  return { 'io.containerd.namespace': ns };
}
