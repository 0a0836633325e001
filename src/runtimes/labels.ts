/**
 * Kubernetes pod facts from a container's runtime labels/annotations. The kubelet writes
 * the same `io.kubernetes.pod.*` labels through every runtime; each runtime marks the pod
 * sandbox ("pause") container its own way.
 */
import type { PodInfo } from '../caches/container-model.js';

/** Pod of a container from its labels (and CRI-O annotations), or undefined when not a pod's. */
export function podFromLabels(labels: Readonly<Record<string, string>> | undefined): PodInfo | undefined {
  if (labels === undefined) return undefined;
  const name = labels['io.kubernetes.pod.name'];
  const namespace = labels['io.kubernetes.pod.namespace'];
  const uid = labels['io.kubernetes.pod.uid'];
  if (name === undefined || namespace === undefined) return undefined;
  const sandbox =
    labels['io.kubernetes.docker.type'] === 'podsandbox' || // dockershim / cri-dockerd
    labels['io.cri-containerd.kind'] === 'sandbox' || // containerd CRI
    labels['io.kubernetes.cri-o.ContainerType'] === 'sandbox' || // CRI-O annotation
    labels['io.kubernetes.container.name'] === 'POD'; // dockershim's pause container name
  return { name, namespace, uid: uid ?? '', sandbox };
}
