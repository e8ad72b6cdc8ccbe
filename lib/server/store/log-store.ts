/**
 * The durable room log (docs/storage.md): append-only segment files of CRC-checked records, written
 * with group commit — everything queued since the last commit goes out in one write and one
 * flush (one O_DSYNC write on the real disk, disk.ts). Recovery at open restores the seq, the tail of the log for the in-memory room log,
 * and what each client had acknowledged (clientId → highest accepted cseq).
 *
 * Invariants: entries on disk have contiguous seqs across segments; a record counts as durable
 * only after the fdatasync that covers it succeeded; after a failed write the file is cut back to
 * its last good size before anything else is written to it.
 */
import type { Disk } from './disk.js';
import { MAX_RECORD_BODY, RECORD_HEADER, type StoreRecord, encodeRecord, entryTime, readRecord } from './record-codec.js';
import { type Segment, StoreCorruptError, listSegments, segmentName } from './segment-scan.js';
import { readMeta, writeMeta } from './store-meta.js';
import { recoverSegments } from './recover.js';

export interface LogStoreOptions {
  /** Entries to keep at least; whole segments older than that are dropped. */
  keep: number;
  /** Drop whole segments whose newest entry is older than this many days. */
  keepDays?: number | undefined;
  /** Entries per segment before a new one starts (default: keep / 8, 1024 to 65536). */
  segmentEntries?: number | undefined;
  /** Bytes per segment before a new one starts (default 16 MiB). */
  segmentBytes?: number | undefined;
  /** Newest entries handed back by recovery for the in-memory log. */
  tailEntries: number;
  /** Cut the log at damage instead of refusing to start (the damaged bytes are kept aside). */
  repair?: boolean | undefined;
  random: (n: number) => Buffer;
}

/** What the store held at open. */
export interface Recovered {
  instance: Buffer;
  /** True when the store was created now. */
  created: boolean;
  lastSeq: number;
  oldestSeq: number;
  /** The newest `tailEntries` entries, oldest first, each in memory of its own. */
  tail: { seq: number; bytes: Buffer }[];
  /** clientId (hex) → highest cseq accepted, least recently used first. */
  cseqs: Map<string, number>;
  /** Time of the newest entry (0: none). */
  lastTime: number;
  /** Notes for the log: a torn tail cut off, damage repaired. */
  notes: string[];
}

export interface StoreStats {
  writes: number;
  syncs: number;
  bytes: number;
  records: number;
  /** Commits (write + flush) that took over {@link SLOW_COMMIT_MS}: the disk held everything waiting for them. */
  slowCommits: number;
  /** The longest commit, ms. */
  longestCommitMs: number;
}

/** A commit longer than this counts as slow in {@link StoreStats} (a stall of the disk, docs/storage.md). */
export const SLOW_COMMIT_MS = 10;

const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/** Client ids whose acknowledged cseq is remembered (and repeated at the head of each segment). */
const MAX_CLIENTS = 8192;

export class LogStore {
  readonly stats: StoreStats = { writes: 0, syncs: 0, bytes: 0, records: 0, slowCommits: 0, longestCommitMs: 0 };
  /** Records queued and not yet durable. */
  private queue: StoreRecord[] = [];
  private committing = false;
  /** A file a failed write may have left longer than its good size. */
  private dirty: { name: string; size: number } | undefined;
  private readonly segmentEntries: number;
  private readonly segmentBytes: number;
  /** Records made durable since open. */
  committed = 0;
  /** Why dropping old segments last failed (taken by takeRetentionError); the log itself is fine. */
  private retentionError: Error | undefined;

  private constructor(
    private readonly disk: Disk,
    private readonly options: LogStoreOptions,
    private readonly segments: Segment[],
    private readonly cseqs: Map<string, { clientId: Buffer; cseq: number }>,
    readonly instance: Buffer,
    public lastSeq: number,
  ) {
    this.segmentEntries = options.segmentEntries ?? Math.min(65_536, Math.max(1024, Math.floor(options.keep / 8)));
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  /**
   * Opens (or creates) the store on `disk` and recovers it. Throws {@link StoreCorruptError} for
   * damage a crash cannot explain (unless `repair`), and the disk's errors.
   */
  static async open(disk: Disk, options: LogStoreOptions): Promise<{ store: LogStore; recovered: Recovered }> {
    let meta = await readMeta(disk);
    const files = await listSegments(disk);
    let created = false;
    if (meta === undefined) {
      if (files.length > 0) throw new StoreCorruptError('store.json', 0, 'missing, but segment files exist');
      meta = { instance: options.random(8) };
      await writeMeta(disk, meta);
      created = true;
    }
    const r = await recoverSegments(disk, files, options.tailEntries, options.repair === true);
    if (r.repaired) {
      // Seqs after the damage may have been seen by clients: a new instance tells them the room
      // was reset, so that no seq they saw is reused for another entry.
      meta = { instance: options.random(8) };
      await writeMeta(disk, meta);
    }
    const cseqs = new Map<string, { clientId: Buffer; cseq: number }>();
    for (const [hex, cseq] of r.cseqs) cseqs.set(hex, { clientId: Buffer.from(hex, 'hex'), cseq });
    const store = new LogStore(disk, options, r.segments, cseqs, meta.instance, r.lastSeq);
    const oldestSeq = r.segments[0]?.firstSeq ?? r.lastSeq + 1;
    const recovered: Recovered = { instance: meta.instance, created, lastSeq: r.lastSeq, oldestSeq, tail: r.tail, cseqs: r.cseqs, lastTime: r.lastTime, notes: r.notes };
    return { store, recovered };
  }

  /** Oldest seq on disk (lastSeq + 1 when there is none). */
  get oldestSeq(): number {
    const first = this.segments.find((s) => s.lastSeq >= s.firstSeq);
    return first?.firstSeq ?? this.lastSeq + 1;
  }

  /** Queues records for the next commit. Entry seqs must continue the log. */
  add(records: readonly StoreRecord[]): void {
    for (const r of records) this.queue.push(r);
  }

  /** Records queued, not yet durable. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Writes everything queued in one write and one fdatasync. Resolves when it is durable (then
   * `committed` counts it); rejects with the disk's error, keeping the records queued for a retry.
   * One commit at a time.
   */
  async commit(now: number): Promise<void> {
    if (this.committing) throw new Error('LogStore.commit: a commit is already running');
    if (this.queue.length === 0) return;
    this.committing = true;
    try {
      await this.writeBatch(this.queue.length);
    } finally {
      this.committing = false;
    }
    // The batch is durable whatever happens here: a failed deletion only keeps old data longer.
    await this.dropOld(now).catch((err: unknown) => (this.retentionError = err as Error));
  }

  /** The error of the last failed segment deletion, once. */
  takeRetentionError(): Error | undefined {
    const e = this.retentionError;
    this.retentionError = undefined;
    return e;
  }

  private async writeBatch(n: number): Promise<void> {
    if (this.dirty !== undefined) {
      await this.disk.truncate(this.dirty.name, this.dirty.size);
      this.dirty = undefined;
    }
    const current = this.segments.at(-1);
    const roll = current === undefined || this.full(current);
    const seg: Segment = roll ? { name: segmentName(this.lastSeq + 1), firstSeq: this.lastSeq + 1, lastSeq: this.lastSeq, lastTime: 0, offsets: [], size: 0 } : current;
    const parts: Buffer[] = [];
    // A new segment starts with what every known client had acknowledged, so that dropping older
    // segments never forgets it.
    if (roll) for (const c of this.cseqs.values()) parts.push(encodeRecord({ kind: 'cseq', clientId: c.clientId, cseq: c.cseq }));
    let pos = seg.size + parts.reduce((sum, b) => sum + b.length, 0);
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) {
      const rec = this.queue[i] as StoreRecord;
      const b = encodeRecord(rec);
      if (rec.kind === 'entry') offsets.push(pos);
      pos += b.length;
      parts.push(b);
    }
    const data = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    const started = performance.now();
    try {
      this.stats.writes++;
      await this.disk.append(seg.name, data);
      this.stats.syncs++;
      await this.disk.sync(seg.name);
    } catch (err) {
      this.dirty = { name: seg.name, size: seg.size };
      throw err;
    }
    const took = performance.now() - started;
    if (took > SLOW_COMMIT_MS) this.stats.slowCommits++;
    if (took > this.stats.longestCommitMs) this.stats.longestCommitMs = took;
    this.stats.bytes += data.length;
    this.stats.records += n;
    if (roll) this.segments.push(seg);
    seg.size = pos;
    for (const o of offsets) seg.offsets.push(o);
    for (const rec of this.queue.splice(0, n)) this.remember(seg, rec);
    this.committed += n;
  }

  private full(s: Segment): boolean {
    return s.lastSeq >= s.firstSeq && (s.lastSeq - s.firstSeq + 1 >= this.segmentEntries || s.size >= this.segmentBytes);
  }

  private remember(seg: Segment, rec: StoreRecord): void {
    if (rec.kind === 'entry') {
      seg.lastSeq = rec.seq;
      seg.lastTime = entryTime(rec.bytes);
      this.lastSeq = rec.seq;
    }
    const c = rec.kind === 'cseq' ? rec : rec.sender;
    if (c === undefined) return;
    const hex = c.clientId.toString('hex');
    this.cseqs.delete(hex);
    this.cseqs.set(hex, { clientId: Buffer.from(c.clientId), cseq: c.cseq });
    if (this.cseqs.size > MAX_CLIENTS) this.cseqs.delete(this.cseqs.keys().next().value as string);
  }

  /** Drops whole segments beyond --keep / --keep-days; never the newest. */
  private async dropOld(now: number): Promise<void> {
    const keepFrom = this.lastSeq - this.options.keep + 1;
    const days = this.options.keepDays;
    while (this.segments.length > 1) {
      const s = this.segments[0] as Segment;
      const tooMany = s.lastSeq < keepFrom;
      const tooOld = days !== undefined && s.lastTime > 0 && s.lastTime < now - days * 86_400_000;
      if (!tooMany && !tooOld) return;
      await this.disk.remove(s.name);
      this.segments.shift();
    }
  }

  /**
   * Entries `from`..`to` read back from disk, in order, at most about `maxBytes` of records, within
   * one segment (ask again for the rest). Empty if `from` is no longer (or not yet) on disk.
   * Throws the disk's errors and StoreCorruptError for a record that no longer checks out.
   */
  async readEntries(from: number, to: number, maxBytes: number): Promise<{ seq: number; bytes: Buffer }[]> {
    const seg = this.segments.find((s) => s.firstSeq <= from && from <= s.lastSeq);
    if (seg === undefined || to < from) return [];
    const last = Math.min(to, seg.lastSeq);
    const start = seg.offsets[from - seg.firstSeq] as number;
    const end = last === seg.lastSeq ? seg.size : (seg.offsets[last + 1 - seg.firstSeq] as number);
    const buf = await this.disk.read(seg.name, start, Math.min(end - start, Math.max(maxBytes, MAX_RECORD_BODY + RECORD_HEADER)));
    const out: { seq: number; bytes: Buffer }[] = [];
    for (let o = 0; o < buf.length; ) {
      const r = readRecord(buf, o);
      if (!r.ok) {
        if (r.why === 'short') break;
        throw new StoreCorruptError(seg.name, start + o, `${r.why} while reading it back`);
      }
      if (r.record.kind === 'entry') out.push({ seq: r.record.seq, bytes: r.record.bytes });
      o = r.next;
    }
    return out;
  }

  /** Closes the files (queued records are not written: commit first). */
  async close(): Promise<void> {
    await this.disk.close();
  }
}
