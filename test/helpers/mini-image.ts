/**
 * A 2 MB container image built offline from Debian's busybox-static: a rootfs tar (for
 * `docker import`) and an OCI image-layout archive (for `ctr images import`), so no
 * registry and no other runtime is needed.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Applets linked in the rootfs. */
const APPLETS = ['sh', 'sleep', 'cat', 'true', 'echo', 'ls'];

/** Write the busybox rootfs under `<dir>/rootfs` and tar it to `<dir>/mini.tar`; returns the tar path. */
export function buildRootfsTar(dir: string): string {
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/usr/bin/busybox', join(root, 'bin', 'busybox'));
  for (const a of APPLETS) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
  const tar = join(dir, 'mini.tar');
  const r = spawnSync('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return tar;
}

interface Blob { digest: string; size: number }

function putBlob(blobs: string, data: Buffer): Blob {
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(blobs, hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/**
 * An OCI image-layout archive of the rootfs tar, named `ref` (e.g.
 * `localhost/proctrail-mini:latest`) through the `io.containerd.image.name` annotation;
 * returns the archive path and the manifest digest.
 */
export function buildOciArchive(dir: string, rootfsTar: string, ref: string): { archive: string; manifestDigest: string } {
  const layout = join(dir, 'oci');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const layerData = readFileSync(rootfsTar);
  const layer = putBlob(blobs, layerData);
  const config = putBlob(blobs, Buffer.from(JSON.stringify({
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  })));
  const manifest = putBlob(blobs, Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  })));
  const tag = ref.slice(ref.lastIndexOf(':') + 1);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...manifest,
      annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': tag },
    }],
  }));
  const archive = join(dir, 'mini-oci.tar');
  const r = spawnSync('tar', ['-C', layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs'], { encoding: 'utf8' });
  if (r.status !== 0 || statSync(archive).size === 0) throw new Error(`tar failed: ${r.stderr}`);
  return { archive, manifestDigest: manifest.digest };
}
