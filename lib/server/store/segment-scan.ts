/**
 * Reading segment files at start (recovery): every record is checked (length, CRC-32, contiguous
 * seqs). A damaged tail of the newest segment — what a crash in the middle of a write leaves — is
 * cut off; damage anywhere else is a {@link StoreCorruptError} naming the file and byte offset.
 */
import type { Disk } from './disk.js';
import { type StoreRecord, entryTime, readRecord } from './record-codec.js';

/** Segment file names: `seg-<first seq, 12 digits>.log`. */
const SEGMENT_NAME = /^seg-(\d{12})\.log$/;

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(12, '0')}.log`;
}

/** What the store knows of one segment file. */
export interface Segment {
  readonly name: string;
  /** Seq its first entry has (or will have). */
  readonly firstSeq: number;
  /** Seq of its last entry (firstSeq − 1 while it has none). */
  lastSeq: number;
  /** Time of its last entry (0: none). */
  lastTime: number;
  /** Byte offset of each entry's record: offsets[seq − firstSeq]. */
  readonly offsets: number[];
  /** Bytes known good (written and flushed). */
  size: number;
}

/** A store file is damaged somewhere a crash cannot explain. */
export class StoreCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    why: string,
  ) {
    super(`${file}: damaged at byte ${offset} (${why})`);
    this.name = 'StoreCorruptError';
  }
}

/** A record seen during the scan, handed to the caller (entry bytes are views into the file). */
export type ScanVisitor = (r: StoreRecord) => void;

/** Lists segment files in seq order. */
export async function listSegments(disk: Disk): Promise<{ name: string; firstSeq: number }[]> {
  const found: { name: string; firstSeq: number }[] = [];
  for (const name of await disk.list()) {
    const m = SEGMENT_NAME.exec(name);
    if (m !== null) found.push({ name, firstSeq: Number(m[1]) });
  }
  return found.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** Whether a record with a valid CRC starts anywhere at or after `from`. */
function intactRecordAfter(buf: Buffer, from: number): boolean {
  for (let o = from; o + 8 < buf.length; o++) {
    if (buf[o] === 0 && buf[o + 1] === 0 && buf[o + 2] === 0 && buf[o + 3] === 0) continue;
    if (readRecord(buf, o).ok) return true;
  }
  return false;
}

/**
 * Scans one segment. `last`: it is the newest, where a torn tail is expected after a crash.
 * Returns the segment and the offset of a cut tail (undefined if the file is whole).
 */
export function scanSegment(
  file: { name: string; firstSeq: number },
  buf: Buffer,
  last: boolean,
  visit: ScanVisitor,
): { segment: Segment; cutAt: number | undefined } {
  const segment: Segment = { name: file.name, firstSeq: file.firstSeq, lastSeq: file.firstSeq - 1, lastTime: 0, offsets: [], size: 0 };
  let offset = 0;
  while (offset < buf.length) {
    const r = readRecord(buf, offset);
    if (!r.ok) {
      // A write cut short by a crash leaves damage with nothing intact after it; damage followed
      // by an intact record is something else (a bad sector, an edit) and is not cut silently.
      if (last && !intactRecordAfter(buf, offset + 1)) return { segment, cutAt: offset };
      throw new StoreCorruptError(file.name, offset, r.why === 'checksum' ? 'checksum mismatch' : `bad record (${r.why})`);
    }
    const rec = r.record;
    if (rec.kind === 'entry') {
      if (rec.seq !== segment.lastSeq + 1) throw new StoreCorruptError(file.name, offset, `seq ${rec.seq} where ${segment.lastSeq + 1} was expected`);
      segment.offsets.push(offset);
      segment.lastSeq = rec.seq;
      segment.lastTime = entryTime(rec.bytes);
    }
    visit(rec);
    offset = r.next;
  }
  segment.size = offset;
  return { segment, cutAt: undefined };
}
