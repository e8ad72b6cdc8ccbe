/**
 * Reading segment files at start (recovery): every record is checked (length, CRC-32, contiguous
 * seqs). A damaged tail of the newest segment — what a crash in the middle of a write leaves — is
 * cut off; damage anywhere else is a {@link StoreCorruptError} naming the file and byte offset.
 */
import type { Disk } from './disk.js';
import { MAX_RECORD_BODY, RECORD_HEADER } from './record-codec.js';

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

/**
 * Called for each valid record during the scan with the file's bytes and where the record's body
 * lies (record-codec.ts: byte 0 of the body is its kind). Offsets, not views: a scan of 100k records
 * must not allocate per record.
 */
export type ScanVisitor = (buf: Buffer, bodyStart: number, bodyEnd: number) => void;

/** Why a record is not valid, or (a number) where the next one starts. */
type Checked = number | 'short' | 'length' | 'checksum' | 'body';

const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}

/** CRC-32 (IEEE, as zlib's) of buf[start..end), without making a view of it. */
function crcOf(buf: Buffer, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Checks the record at `offset` (record-codec.ts layout) without allocating. */
function checkRecord(buf: Buffer, offset: number): Checked {
  if (buf.length - offset < RECORD_HEADER) return 'short';
  const length = buf.readUInt32BE(offset);
  if (length < 5 || length > MAX_RECORD_BODY) return 'length';
  const start = offset + RECORD_HEADER;
  const end = start + length;
  if (end > buf.length) return 'short';
  if (crcOf(buf, start, end) !== buf.readUInt32BE(offset + 4)) return 'checksum';
  const kind = buf[start];
  if (kind === 3) return length === 21 ? end : 'body';
  if (kind !== 1 && kind !== 2) return 'body';
  // An entry is at least kind, time and a one-byte nick (§4.3) after its header.
  const head = kind === 2 ? 25 : 5;
  return buf.readUInt32BE(start + 1) === 0 || length < head + 9 ? 'body' : end;
}

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
    if (typeof checkRecord(buf, o) === 'number') return true;
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
    const next = checkRecord(buf, offset);
    if (typeof next !== 'number') {
      // A write cut short by a crash leaves damage with nothing intact after it; damage followed
      // by an intact record is something else (a bad sector, an edit) and is not cut silently.
      if (last && !intactRecordAfter(buf, offset + 1)) return { segment, cutAt: offset };
      throw new StoreCorruptError(file.name, offset, next === 'checksum' ? 'checksum mismatch' : `bad record (${next})`);
    }
    const start = offset + RECORD_HEADER;
    const kind = buf[start];
    if (kind !== 3) {
      const seq = buf.readUInt32BE(start + 1);
      if (seq !== segment.lastSeq + 1) throw new StoreCorruptError(file.name, offset, `seq ${seq} where ${segment.lastSeq + 1} was expected`);
      segment.offsets.push(offset);
      segment.lastSeq = seq;
      // The entry's time: u48 after its kind byte (§4.3).
      segment.lastTime = buf.readUIntBE(start + (kind === 2 ? 25 : 5) + 1, 6);
    }
    visit(buf, start, next);
    offset = next;
  }
  segment.size = offset;
  return { segment, cutAt: undefined };
}
