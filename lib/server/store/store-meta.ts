/**
 * `store.json`: what identifies a store — its format and the server instance (docs/protocol.md §1),
 * which stays the same across restarts so that clients resume. Written once, atomically.
 */
import { INSTANCE_BYTES } from '../../protocol/constants.js';
import type { Disk } from './disk.js';
import { StoreCorruptError } from './segment-scan.js';

export const META_FILE = 'store.json';
const FORMAT = 1;

export interface StoreMeta {
  instance: Buffer;
}

/** Reads store.json; undefined if there is none; StoreCorruptError if it is not a valid one. */
export async function readMeta(disk: Disk): Promise<StoreMeta | undefined> {
  const raw = await disk.readFile(META_FILE);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new StoreCorruptError(META_FILE, 0, 'not JSON');
  }
  const o = parsed as { format?: unknown; instance?: unknown } | null;
  if (typeof o !== 'object' || o === null || o.format !== FORMAT) throw new StoreCorruptError(META_FILE, 0, `not a format ${FORMAT} store`);
  if (typeof o.instance !== 'string' || !new RegExp(`^[0-9a-f]{${2 * INSTANCE_BYTES}}$`).test(o.instance)) {
    throw new StoreCorruptError(META_FILE, 0, 'bad instance');
  }
  return { instance: Buffer.from(o.instance, 'hex') };
}

export async function writeMeta(disk: Disk, meta: StoreMeta): Promise<void> {
  await disk.writeAtomic(META_FILE, Buffer.from(`${JSON.stringify({ format: FORMAT, instance: meta.instance.toString('hex') })}\n`));
}
