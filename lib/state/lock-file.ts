/**
 * An exclusive lock on a directory for one process: a file `LOCK` holding the owner's PID. The PID
 * is written to a file of its own first, which is then hard-linked as `LOCK` (link fails if `LOCK`
 * exists): so `LOCK`, once it exists, always holds a whole PID, and an empty or damaged one is
 * debris of a crash, never a lock being written by a process that is starting this instant. A lock
 * left behind by a process that no longer runs is taken over. Not covered: two processes finding
 * the same stale lock in the same instant (after a crash) can both take it over, one removing what
 * the other has just placed; and a file system without hard links fails with its error (EPERM).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_MODE } from './paths.js';

/** Thrown when another live process holds the lock; the message is one line for the user. */
export class LockedError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`${path} is in use by another udp-chat process (pid ${pid}); stop it or choose another store`);
    this.name = 'LockedError';
  }
}

export interface Lock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; only ESRCH means there is no such process.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The PID in the lock file; undefined if the file holds none (debris), 'gone' if there is no file. */
function readPid(path: string): number | undefined | 'gone' {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
}

/**
 * Takes the lock `dir/LOCK` for this process. Throws {@link LockedError} if a live process holds
 * it; removes a stale lock (its PID is not running, or the file is empty or damaged) and retries.
 */
export function acquireLock(dir: string, pid = process.pid): Lock {
  const path = join(dir, 'LOCK');
  // Named as the store's temporary files are, so the debris of a crash here is removed with them.
  const draft = join(dir, `.LOCK.${pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (place(draft, path, pid)) return { path, release: () => releaseLock(path, pid) };
      const holder = readPid(path);
      if (holder === 'gone') continue; // released this instant: try again, never remove a newer one
      if (holder !== undefined && holder !== pid && alive(holder)) throw new LockedError(dir, holder);
      // Stale (its process is gone, or the file is debris of a crash): take it over.
      removeIfThere(path);
    }
  } finally {
    removeIfThere(draft);
  }
  throw new Error(`${path}: could not take the lock (it keeps changing)`);
}

function writeDraft(path: string, pid: number): void {
  const fd = openSync(path, 'wx', FILE_MODE);
  try {
    writeSync(fd, `${pid}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Links the draft (written first if it is not there: the holder of the lock removes the store's
 * temporary files, a draft among them) as the lock: false if the lock exists.
 */
function place(draft: string, path: string, pid: number): boolean {
  for (let tries = 0; ; tries++) {
    try {
      linkSync(draft, path);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'ENOENT' || tries === 2) throw err;
      writeDraft(draft, pid);
    }
  }
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function releaseLock(path: string, pid: number): void {
  if (readPid(path) === pid) removeIfThere(path);
}
