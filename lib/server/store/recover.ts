/**
 * Recovery at open: scans every segment in order, cuts a torn tail off the newest, checks that
 * seqs run on from one segment to the next, and collects what the server needs to start again.
 * With `repair`, damage is cut off instead of refused: the damaged file is truncated at the damage
 * and it and every later segment are first copied aside as `<name>.damaged`.
 */
import type { Disk } from './disk.js';
import { type Segment, StoreCorruptError, scanSegment } from './segment-scan.js';

export interface RecoveredSegments {
  segments: Segment[];
  lastSeq: number;
  tail: { seq: number; bytes: Buffer }[];
  cseqs: Map<string, number>;
  lastTime: number;
  notes: string[];
  repaired: boolean;
}

/** Scans `files` (seq order) and returns what they hold. See the module comment. */
export async function recoverSegments(
  disk: Disk,
  files: { name: string; firstSeq: number }[],
  tailEntries: number,
  repair: boolean,
): Promise<RecoveredSegments> {
  const out: RecoveredSegments = { segments: [], lastSeq: 0, tail: [], cseqs: new Map(), lastTime: 0, notes: [], repaired: false };
  // The newest tailEntries entries, as places in the file buffers (a ring of typed arrays: no
  // object per record); copied at the end.
  const ringBuf: Buffer[] = new Array<Buffer>(tailEntries);
  const ringStart = new Int32Array(tailEntries);
  const ringEnd = new Int32Array(tailEntries);
  const ringSeq = new Float64Array(tailEntries);
  let seen = 0;
  // Keyed by the 16 bytes as latin1 (cheaper than hex per record); hex at the end.
  const cseqs = new Map<string, number>();
  const visit = (buf: Buffer, start: number, end: number): void => {
    const kind = buf[start];
    if (kind !== 3 && tailEntries > 0) {
      const i = seen++ % tailEntries;
      ringBuf[i] = buf;
      ringStart[i] = start + (kind === 2 ? 25 : 5);
      ringEnd[i] = end;
      ringSeq[i] = buf.readUInt32BE(start + 1);
    }
    if (kind === 1) return;
    const id = start + (kind === 2 ? 5 : 1);
    const key = buf.toString('latin1', id, id + 16);
    cseqs.delete(key);
    cseqs.set(key, buf.readUInt32BE(id + 16));
  };
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as { name: string; firstSeq: number };
    const buf = (await disk.readFile(file.name)) ?? Buffer.alloc(0);
    try {
      if (out.segments.length > 0 && file.firstSeq !== out.lastSeq + 1) {
        throw new StoreCorruptError(file.name, 0, `starts at seq ${file.firstSeq} where ${out.lastSeq + 1} was expected`);
      }
      const { segment, cutAt } = scanSegment(file, buf, i === files.length - 1, visit);
      if (cutAt !== undefined) {
        await disk.truncate(file.name, cutAt);
        await disk.sync(file.name);
        out.notes.push(`${file.name}: cut off an incomplete last record at byte ${cutAt} (${buf.length - cutAt} bytes, never acknowledged)`);
      }
      out.segments.push(segment);
      out.lastSeq = Math.max(out.lastSeq, segment.lastSeq);
      if (segment.lastTime > 0) out.lastTime = segment.lastTime;
    } catch (err) {
      if (!(err instanceof StoreCorruptError) || !repair) throw err;
      await cutAside(disk, files.slice(i), err, out);
      break;
    }
  }
  const count = Math.min(seen, tailEntries);
  for (let n = seen - count; n < seen; n++) {
    const i = n % tailEntries;
    out.tail.push({ seq: ringSeq[i] as number, bytes: own((ringBuf[i] as Buffer).subarray(ringStart[i], ringEnd[i])) });
  }
  for (const [key, cseq] of cseqs) out.cseqs.set(Buffer.from(key, 'latin1').toString('hex'), cseq);
  return out;
}

/** Copies the damaged file and every later one aside, then truncates / removes them. */
async function cutAside(disk: Disk, files: { name: string; firstSeq: number }[], err: StoreCorruptError, out: RecoveredSegments): Promise<void> {
  out.repaired = true;
  for (const [j, f] of files.entries()) {
    const data = (await disk.readFile(f.name)) ?? Buffer.alloc(0);
    await disk.writeAtomic(`${f.name}.damaged`, data);
    if (j === 0 && err.offset > 0 && f.firstSeq === out.lastSeq + 1) {
      // Keep the good records before the damage: rescan the cut file as a whole one.
      await disk.truncate(f.name, err.offset);
      await disk.sync(f.name);
      const { segment } = scanSegment(f, data.subarray(0, err.offset), true, () => undefined);
      out.segments.push(segment);
      out.lastSeq = Math.max(out.lastSeq, segment.lastSeq);
      if (segment.lastTime > 0) out.lastTime = segment.lastTime;
    } else {
      await disk.remove(f.name);
    }
  }
  out.notes.push(`repaired: ${err.message}; the log now ends at seq ${out.lastSeq}; damaged files kept as *.damaged`);
}

function own(b: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(b.length);
  b.copy(copy);
  return copy;
}
