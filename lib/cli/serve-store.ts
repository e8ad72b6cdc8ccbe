/**
 * `udp-chat serve` persistence flags (README "Where the server keeps its data"): which store
 * directory, whether to keep one, retention, repair; and opening it with one-line errors.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULTS } from '../protocol/constants.js';
import { LocalError } from '../protocol/local-error.js';
import { LockedError } from '../state/lock-file.js';
import { defaultStoreDir } from '../state/paths.js';
import { type StoreHandle, openStore } from '../server/store/open-store.js';
import { StoreCorruptError } from '../server/store/segment-scan.js';
import { NickFileError } from '../server/store/nick-file.js';
import { positiveInt, positiveNumber } from './context.js';

export interface StoreArgs {
  data: string | undefined;
  persist: boolean;
  name: string | undefined;
  keep: number;
  'keep-days': number | undefined;
  repair: boolean;
}

export const DEFAULT_KEEP = 100_000;

/** Adds the persistence options to the serve command. */
export function storeOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('data', { type: 'string', describe: 'Directory of the server\'s store (default: the per-user state directory; "none": keep nothing on disk)' })
    .option('persist', { type: 'boolean', default: true, describe: 'Keep the room log on disk (--no-persist: in memory only, lost on restart)' })
    .option('name', { type: 'string', describe: "The server's name: its store is named after it instead of after the port, and `discover` and mDNS browsers show it (default: the host name)" })
    .option('keep', { type: 'number', default: DEFAULT_KEEP, describe: 'Room log entries kept on disk at least (older whole segments are deleted)' })
    .option('keep-days', { type: 'number', describe: 'Delete room log segments older than this many days' })
    .option('repair', { type: 'boolean', default: false, describe: 'Start even if the store is damaged: cut the log at the damage (kept aside as *.damaged)' }) as unknown as Argv<T>;
}

/** Usage checks of the persistence options (throws a one-line Error). */
export function checkStoreArgs(a: StoreArgs): void {
  positiveInt(a.keep, '--keep');
  if (a['keep-days'] !== undefined) positiveNumber(a['keep-days'], '--keep-days');
  if (a.data === '') throw new Error('--data must name a directory (or "none")');
  if (a.name !== undefined && a.name.trim() === '') throw new Error('--name must not be empty');
}

/**
 * The store directory for these options, or undefined for none: `--no-persist`, `--data none`,
 * or port 0 without --data / --name (a new port each start cannot find its store again).
 */
export function storeDirFor(a: StoreArgs, port: number, env: NodeJS.ProcessEnv): string | undefined {
  if (!a.persist || a.data === 'none') return undefined;
  if (a.data !== undefined) return resolve(a.data);
  if (port === 0 && a.name === undefined) return undefined;
  return defaultStoreDir({ name: a.name, port }, env);
}

/** Opens the store; its errors become one-line LocalErrors (UDPCHAT_ERR_STORE_*: the environment, not a peer). */
export async function openServeStore(dir: string, a: StoreArgs): Promise<StoreHandle> {
  try {
    return await openStore(dir, { keep: a.keep, keepDays: a['keep-days'], repair: a.repair, tailEntries: DEFAULTS.logEntries, random: randomBytes });
  } catch (err) {
    if (err instanceof LockedError) throw new LocalError('UDPCHAT_ERR_STORE_LOCKED', err.message);
    if (err instanceof NickFileError) {
      throw new LocalError('UDPCHAT_ERR_STORE_DAMAGED', `store ${dir}: ${err.message}; fix or remove it, or start with --repair to set it aside (every nick is then unbound)`);
    }
    if (err instanceof StoreCorruptError) {
      throw new LocalError('UDPCHAT_ERR_STORE_DAMAGED', `store ${dir}: ${err.message}; start with --repair to cut the log there (see docs/storage.md)`);
    }
    const e = err as NodeJS.ErrnoException;
    throw new LocalError('UDPCHAT_ERR_STORE_UNAVAILABLE', `store ${dir}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '));
  }
}
