/**
 * The file operations the store needs, behind an interface so that specs can run the store on an
 * in-memory disk with injected failures and crashes (spec/support/memory-disk.ts). Paths are
 * relative to the store directory; the store has no subdirectories.
 */
import { constants } from 'node:fs';
import { type FileHandle, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, syncDir } from '../../state/atomic-file.js';
import { FILE_MODE } from '../../state/paths.js';

export interface Disk {
  /** Names of the files in the store directory. */
  list(): Promise<string[]>;
  /** The whole file, or undefined if there is none. */
  readFile(name: string): Promise<Buffer | undefined>;
  /** `length` bytes at `offset` (fewer at the end of the file). */
  read(name: string, offset: number, length: number): Promise<Buffer>;
  /** Appends to a file, creating it (0600). May fail part-way (ENOSPC, EIO): then some bytes may be written. */
  append(name: string, data: Buffer): Promise<void>;
  /** Flushes a file's data to stable storage (fdatasync), and its directory entry if it is new. */
  sync(name: string): Promise<void>;
  truncate(name: string, length: number): Promise<void>;
  remove(name: string): Promise<void>;
  /** Replaces a file atomically and durably (temp + fsync + rename + fsync dir). */
  writeAtomic(name: string, data: Buffer): Promise<void>;
  /** Closes open files. */
  close(): Promise<void>;
}

/**
 * O_DSYNC where the platform has it (Linux, macOS; not Windows): an append then returns only once
 * its bytes are on stable storage, as a write followed by fdatasync — in one request to libuv's
 * pool instead of two, which is a whole event-loop turn less per group commit.
 */
const DSYNC: number = (constants as { O_DSYNC?: number }).O_DSYNC ?? 0;
const APPEND = constants.O_APPEND | constants.O_CREAT | constants.O_RDWR | DSYNC;

/** The real disk: one directory, append handles kept open (O_APPEND, and O_DSYNC where there is one). */
export class NodeDisk implements Disk {
  private readonly handles = new Map<string, FileHandle>();
  /** Files created since the directory was last flushed. */
  private readonly fresh = new Set<string>();
  /** Files that may hold bytes not yet on disk beyond what O_DSYNC appends wrote (opened again, truncated, no O_DSYNC): the next sync flushes them. */
  private readonly unsynced = new Set<string>();

  constructor(readonly dir: string) {}

  async list(): Promise<string[]> {
    return readdir(this.dir);
  }

  async readFile(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async read(name: string, offset: number, length: number): Promise<Buffer> {
    const fh = this.handles.get(name) ?? (await open(join(this.dir, name), 'r'));
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      if (!this.handles.has(name)) await fh.close();
    }
  }

  private async handle(name: string): Promise<FileHandle> {
    let fh = this.handles.get(name);
    if (fh === undefined) {
      // O_APPEND: every write goes to the end, whatever a failed write left behind.
      try {
        fh = await open(join(this.dir, name), APPEND | constants.O_EXCL, FILE_MODE);
        this.fresh.add(name);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        fh = await open(join(this.dir, name), APPEND, FILE_MODE);
        // What an earlier process wrote may not be on disk yet, and O_DSYNC flushes only what it writes.
        this.unsynced.add(name);
      }
      this.handles.set(name, fh);
    }
    return fh;
  }

  append(name: string, data: Buffer): Promise<void> {
    // An open file is written at once, before this returns (no await in front of the write): the
    // persister starts the next commit and only then fans the last one out (persister.ts).
    const open = this.handles.get(name);
    return open !== undefined ? this.writeAll(name, open, data) : this.handle(name).then((fh) => this.writeAll(name, fh, data));
  }

  private async writeAll(name: string, fh: FileHandle, data: Buffer): Promise<void> {
    if (DSYNC === 0) this.unsynced.add(name);
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await fh.write(data, done, data.length - done, null);
      done += bytesWritten;
    }
  }

  async sync(name: string): Promise<void> {
    const fh = await this.handle(name);
    // O_DSYNC appends are on disk already; a truncate (or a platform without O_DSYNC) still needs the flush.
    if (this.unsynced.delete(name)) await fh.datasync();
    if (this.fresh.delete(name)) await syncDir(this.dir);
  }

  async truncate(name: string, length: number): Promise<void> {
    const fh = await this.handle(name);
    this.unsynced.add(name);
    await fh.truncate(length);
  }

  async remove(name: string): Promise<void> {
    await this.handles.get(name)?.close();
    this.handles.delete(name);
    this.fresh.delete(name);
    this.unsynced.delete(name);
    try {
      await unlink(join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  async writeAtomic(name: string, data: Buffer): Promise<void> {
    await writeFileAtomic(join(this.dir, name), data);
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((fh) => fh.close()));
  }
}
