/**
 * An in-memory {@link Disk} for the store specs: it tells written bytes (the page cache) from
 * flushed ones, so `crash()` loses exactly what a power cut would lose, and it fails on demand —
 * a capacity (ENOSPC once full, after writing what fits), or an error injected into the next call
 * of one operation.
 */
import type { Disk } from '../../lib/server/store/disk.js';

type Op = 'append' | 'sync' | 'truncate' | 'writeAtomic' | 'remove' | 'readFile';

interface MemFile {
  data: Buffer;
  /** Content as of the last flush; undefined: never flushed (gone after a crash). */
  durable: Buffer | undefined;
}

function errno(code: string, op: string, name: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${op} '${name}'`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

export class MemoryDisk implements Disk {
  readonly files = new Map<string, MemFile>();
  /** Total bytes the disk holds; appends past it write what fits, then fail with ENOSPC. */
  capacity = Infinity;
  readonly calls: Record<string, number> = {};
  private readonly failures = new Map<Op, string>();

  /** Makes the next call of `op` fail with `code` (for append: after writing nothing). */
  failNext(op: Op, code = 'EIO'): void {
    this.failures.set(op, code);
  }

  private check(op: Op, name: string): void {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    const code = this.failures.get(op);
    if (code !== undefined) {
      this.failures.delete(op);
      throw errno(code, op, name);
    }
  }

  private used(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.data.length;
    return n;
  }

  async list(): Promise<string[]> {
    return [...this.files.keys()];
  }

  async readFile(name: string): Promise<Buffer | undefined> {
    this.check('readFile', name);
    const f = this.files.get(name);
    return f === undefined ? undefined : Buffer.from(f.data);
  }

  async read(name: string, offset: number, length: number): Promise<Buffer> {
    const f = this.files.get(name);
    if (f === undefined) throw errno('ENOENT', 'read', name);
    return Buffer.from(f.data.subarray(offset, offset + length));
  }

  async append(name: string, data: Buffer): Promise<void> {
    this.check('append', name);
    const f = this.files.get(name) ?? { data: Buffer.alloc(0), durable: undefined };
    this.files.set(name, f);
    const room = Math.max(0, this.capacity - this.used());
    const fits = Math.min(room, data.length);
    f.data = Buffer.concat([f.data, data.subarray(0, fits)]);
    if (fits < data.length) throw errno('ENOSPC', 'append', name);
  }

  async sync(name: string): Promise<void> {
    this.check('sync', name);
    const f = this.files.get(name);
    if (f === undefined) throw errno('ENOENT', 'sync', name);
    f.durable = Buffer.from(f.data);
  }

  async truncate(name: string, length: number): Promise<void> {
    this.check('truncate', name);
    const f = this.files.get(name);
    if (f === undefined) throw errno('ENOENT', 'truncate', name);
    f.data = Buffer.from(f.data.subarray(0, length));
  }

  async remove(name: string): Promise<void> {
    this.check('remove', name);
    this.files.delete(name);
  }

  async writeAtomic(name: string, data: Buffer): Promise<void> {
    this.check('writeAtomic', name);
    if (data.length > this.capacity - this.used() + (this.files.get(name)?.data.length ?? 0)) throw errno('ENOSPC', 'writeAtomic', name);
    this.files.set(name, { data: Buffer.from(data), durable: Buffer.from(data) });
  }

  async close(): Promise<void> {}

  /**
   * A power cut: every file goes back to its last flushed content. `keep` bytes of each file's
   * unflushed tail survive anyway (a torn write); `garbage` replaces them with other bytes.
   */
  crash(opts: { keep?: number; garbage?: boolean } = {}): void {
    for (const [name, f] of this.files) {
      if (f.durable === undefined && (opts.keep ?? 0) === 0) {
        this.files.delete(name);
        continue;
      }
      const base = f.durable ?? Buffer.alloc(0);
      let torn = f.data.length > base.length ? f.data.subarray(base.length, base.length + (opts.keep ?? 0)) : Buffer.alloc(0);
      if (opts.garbage === true) torn = Buffer.from(torn.map((b) => b ^ 0x5a));
      f.data = Buffer.concat([base, torn]);
      f.durable = Buffer.from(f.data);
    }
  }
}
