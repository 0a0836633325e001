/**
 * The Docker Engine API's container inspect (`GET /containers/<id>/json`), spoken by
 * dockerd and by podman's `podman system service` (its Docker-compatible API).
 */
import type { ContainerEnrichment } from '../caches/container-model.js';
import { definedEnrichment } from '../caches/container-enrichment.js';
import { podFromLabels } from './labels.js';
import { obj, SocketHttp, str, strMap } from './http-socket.js';
import { DEFAULT_TIMEOUT_MS, type InspectResult, type RuntimeClient } from './runtime-client.js';

/** API version in the path: 1.41 is served by dockerd ≥ 20.10 and podman ≥ 3. */
const API_PREFIX = '/v1.41';

/** Map a Docker inspect document to enrichment (pure; unknown shapes give empty fields). */
export function dockerInspectToEnrichment(doc: unknown): ContainerEnrichment {
  const d = obj(doc) ?? {};
  const config = obj(d.Config) ?? {};
  const state = obj(d.State) ?? {};
  const labels = strMap(config.Labels);
  const pod = podFromLabels(labels);
  const name = str(d.Name);
  const image = str(config.Image);
  const imageDigest = str(d.Image);
  const status = str(state.Status);
  // Docker reports names with a leading slash.
  return definedEnrichment({ name: name?.startsWith('/') ? name.slice(1) : name, image, imageDigest, labels, pod, state: status });
}

/** Docker-compatible API client (dockerd or podman) on a unix socket. */
export class DockerApiClient implements RuntimeClient {
  readonly #http: SocketHttp;

  constructor(
    readonly kind: 'docker' | 'podman',
    readonly socketPath: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.#http = new SocketHttp(socketPath, timeoutMs);
  }

  available(): boolean {
    return this.#http.available();
  }

  async inspect(id: string): Promise<InspectResult> {
    const res = await this.#http.getJson(`${API_PREFIX}/containers/${encodeURIComponent(id)}/json`);
    if (res.status === 404) return { status: 'not_found' };
    if (res.status !== 200 || obj(res.body) === undefined) throw new Error(`${this.kind} inspect ${id.slice(0, 12)}: HTTP ${res.status}`);
    return { status: 'ok', data: dockerInspectToEnrichment(res.body) };
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
