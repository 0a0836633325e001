/** Building a ContainerEnrichment from fields that may be unknown. */
import type { ContainerEnrichment } from './container-model.js';

/** Enrichment fields, each possibly undefined (as parsed, or as a view carries them). */
export type MaybeEnrichment = { readonly [K in keyof ContainerEnrichment]?: ContainerEnrichment[K] | undefined };

/** Only the fields of `e` that are set: unknown ones stay absent (not `undefined`) in objects and JSON. */
export function definedEnrichment(e: MaybeEnrichment): ContainerEnrichment {
  return {
    ...(e.name !== undefined ? { name: e.name } : {}),
    ...(e.image !== undefined ? { image: e.image } : {}),
    ...(e.imageDigest !== undefined ? { imageDigest: e.imageDigest } : {}),
    ...(e.labels !== undefined ? { labels: e.labels } : {}),
    ...(e.pod !== undefined ? { pod: e.pod } : {}),
    ...(e.state !== undefined ? { state: e.state } : {}),
  };
}
