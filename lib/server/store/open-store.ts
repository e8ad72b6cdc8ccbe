/**
 * Opening a server's store directory: private directory, lock, recovery of the log and the
 * sessions file, all in one place for the CLI and the specs.
 */
import { ensurePrivateDir } from '../../state/paths.js';
import { acquireLock, type Lock } from '../../state/lock-file.js';
import type { RestoredState } from '../restore-state.js';
import { type Disk, NodeDisk } from './disk.js';
import { LogStore } from './log-store.js';
import { type PersistedSession, SESSIONS_FILE, readSessions } from './session-file.js';
import type { NickBinding } from '../../protocol/seal/nick-bindings.js';
import { openNicks } from './nick-file.js';

export interface StoreSettings {
  /** Entries to keep at least (whole older segments are dropped). */
  keep: number;
  keepDays?: number | undefined;
  /** Cut the log at damage instead of refusing to start. */
  repair?: boolean | undefined;
  /** Entries handed to the in-memory room log (its capacity). */
  tailEntries: number;
  random: (n: number) => Buffer;
  segmentEntries?: number | undefined;
  /** Another disk (specs); the default is the directory itself, locked. */
  disk?: Disk | undefined;
}

/** An open store: the log, what it recovered, and its lock. */
export interface StoreHandle {
  readonly dir: string;
  readonly disk: Disk;
  readonly log: LogStore;
  readonly restore: RestoredState;
  /** The nick bindings saved by the last run (nicks.json). */
  readonly nickBindings: NickBinding[];
  /** Lines for the server log: torn tail cut, repair done, sessions file ignored. */
  readonly notes: string[];
  /** Closes the files and releases the lock. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the store in `dir`. Throws LockedError if another server uses it,
 * StoreCorruptError for damage (unless `repair`), and the file system's errors.
 */
export async function openStore(dir: string, settings: StoreSettings): Promise<StoreHandle> {
  let lock: Lock | undefined;
  if (settings.disk === undefined) {
    ensurePrivateDir(dir);
    lock = acquireLock(dir);
  }
  const disk = settings.disk ?? new NodeDisk(dir);
  try {
    const { store, recovered } = await LogStore.open(disk, { ...settings, keep: settings.keep });
    const notes = [...recovered.notes];
    // Temporary files of an atomic write cut short by a crash (the target kept its old content).
    for (const name of await disk.list()) if (/^\..+\.tmp$/.test(name)) await disk.remove(name);
    let sessions: PersistedSession[] = [];
    try {
      sessions = (await readSessions(disk))?.sessions ?? [];
    } catch (err) {
      // Losing the sessions loses no message: their clients simply join again.
      notes.push(`${(err as Error).message}; starting without the saved sessions (their clients rejoin)`);
      await disk.remove(SESSIONS_FILE);
    }
    const nickBindings = await openNicks(disk, settings.repair === true, notes);
    const restore: RestoredState = { instance: recovered.instance, lastSeq: recovered.lastSeq, oldestStored: recovered.oldestSeq, tail: recovered.tail, cseqs: recovered.cseqs, sessions };
    return {
      dir,
      disk,
      log: store,
      restore,
      nickBindings,
      notes,
      close: async () => {
        try {
          await store.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (err) {
    await disk.close().catch(() => undefined);
    lock?.release();
    throw err;
  }
}
