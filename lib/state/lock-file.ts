/**
 * An exclusive lock on a directory for one process: a file `LOCK` holding the owner's PID, created
 * with O_EXCL. A lock left behind by a process that no longer runs is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
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

function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Takes the lock `dir/LOCK` for this process. Throws {@link LockedError} if a live process holds
 * it; removes a stale lock (its PID is not running, or the file is empty or damaged) and retries.
 */
export function acquireLock(dir: string, pid = process.pid): Lock {
  const path = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPid(path);
      if (holder !== undefined && holder !== pid && alive(holder)) throw new LockedError(dir, holder);
      // Stale (or half-written by a process that died right after creating it): take it over.
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    try {
      writeSync(fd, `${pid}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return { path, release: () => releaseLock(path, pid) };
  }
  throw new Error(`${path}: could not take the lock (it keeps changing)`);
}

function releaseLock(path: string, pid: number): void {
  if (readPid(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
