/**
 * CRI-O's own inspect endpoint on its socket (`GET /containers/<id>`, the one `crictl
 * inspect` falls back to): name, image, image ref, labels and annotations.
 */
import type { ContainerEnrichment } from '../caches/container-model.js';
import { definedEnrichment } from '../caches/container-enrichment.js';
import { podFromLabels } from './labels.js';
import { obj, SocketHttp, str, strMap } from './http-socket.js';
import { DEFAULT_TIMEOUT_MS, type InspectResult, type RuntimeClient } from './runtime-client.js';

/** Map a CRI-O ContainerInfo document to enrichment (pure). */
export function crioInspectToEnrichment(doc: unknown): ContainerEnrichment {
  const d = obj(doc) ?? {};
  const labels = strMap(d.labels);
  const annotations = strMap(d.annotations) ?? {};
  const pod = podFromLabels(labels === undefined ? undefined : { ...annotations, ...labels });
  const name = str(labels?.['io.kubernetes.container.name']) ?? str(d.name);
  const image = str(d.image);
  const imageDigest = str(d.image_ref);
  return definedEnrichment({ name, image, imageDigest, labels, pod });
}

/** CRI-O inspect client. */
export class CrioClient implements RuntimeClient {
  readonly kind = 'crio';
  readonly #http: SocketHttp;

  constructor(
    readonly socketPath: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.#http = new SocketHttp(socketPath, timeoutMs);
  }

  available(): boolean {
    return this.#http.available();
  }

  async inspect(id: string): Promise<InspectResult> {
    const res = await this.#http.getJson(`/containers/${encodeURIComponent(id)}`);
    // CRI-O answers an unknown id with 404 (newer) or 500 "can't find the container" (older).
    if (res.status === 404) return { status: 'not_found' };
    if (res.status !== 200 || obj(res.body) === undefined) throw new Error(`crio inspect ${id.slice(0, 12)}: HTTP ${res.status}`);
    return { status: 'ok', data: crioInspectToEnrichment(res.body) };
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
