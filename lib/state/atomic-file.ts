/**
 * Crash-safe whole-file writes: write a temporary file beside the target (mode 0600), flush it,
 * rename it over the target, then flush the directory so the rename itself survives a power loss.
 * At every instant the target holds either the old or the new content, never a mix.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FILE_MODE } from './paths.js';

let counter = 0;

/** Writes `data` to `path` atomically and durably (see the module comment). */
export async function writeFileAtomic(path: string, data: Buffer | string, mode = FILE_MODE): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dirname(path));
}

/** Flushes a directory, so that files created, renamed or removed in it stay so after a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
