/**
 * The container snapshot on disk: `<stateDir>/containers.json`, written atomically (temp
 * file in the same directory, fsync, rename, fsync of the directory) so a crash leaves the
 * old or the new snapshot, never a torn one.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of the container snapshot inside the state directory. */
export const SNAPSHOT_FILE = 'containers.json';

/** Default state directory. */
export const DEFAULT_STATE_DIR = '/var/lib/proctrail';

/** Write `text` to `<dir>/<name>` atomically; creates `dir` (mode 0700) when missing. */
export async function writeFileAtomic(dir: string, name: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  // The rename is durable only once the directory entry is.
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** The snapshot text, or undefined when there is none (other read errors are thrown). */
export async function readSnapshotText(dir: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, SNAPSHOT_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** This boot's id (`/proc/sys/kernel/random/boot_id`), or undefined. */
export async function bootId(): Promise<string | undefined> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    return undefined;
  }
}
