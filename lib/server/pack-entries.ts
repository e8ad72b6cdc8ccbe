/**
 * Packs consecutive log entries into DATA datagrams (docs/protocol.md §4.3, §6.1.5):
 * as many as fit in 1200 bytes and 255 entries each, in sequence order.
 */
import { DATA_OVERHEAD, RDATA_OVERHEAD, encodeData, encodeRData } from '../protocol/codec.js';
import { MAX_DATAGRAM, MAX_ENTRIES } from '../protocol/constants.js';

/**
 * DATA datagrams for entries `from`..`to` (inclusive), stopping at the first entry `bytesOf`
 * does not have, after `maxDatagrams`, or before the datagrams would pass `maxBytes` in all.
 */
/** How a batch of encoded entries becomes a datagram: DATA, or RDATA of one stream (§6.3). */
export interface Framing {
  readonly overhead: number;
  frame(firstSeq: number, entries: readonly Buffer[]): Buffer;
}

export const DATA_FRAMING: Framing = { overhead: DATA_OVERHEAD, frame: encodeData };

/** RDATA of stream `roomId`. */
export function rdataFraming(roomId: number): Framing {
  return { overhead: RDATA_OVERHEAD, frame: (firstSeq, entries) => encodeRData(roomId, firstSeq, entries) };
}

export function packEntries(
  from: number,
  to: number,
  bytesOf: (seq: number) => Buffer | undefined,
  maxDatagrams = Infinity,
  maxBytes = Infinity,
  framing: Framing = DATA_FRAMING,
): Buffer[] {
  const datagrams: Buffer[] = [];
  let total = 0;
  let seq = from;
  let batch: Buffer[] = [];
  let batchFirst = from;
  let size = framing.overhead;
  while (seq <= to && datagrams.length < maxDatagrams) {
    const bytes = bytesOf(seq);
    if (bytes === undefined) break;
    if (batch.length > 0 && (size + bytes.length > MAX_DATAGRAM || batch.length === MAX_ENTRIES)) {
      datagrams.push(framing.frame(batchFirst, batch));
      total += size;
      batch = [];
      size = framing.overhead;
      if (datagrams.length >= maxDatagrams) break;
    }
    if (total + size + bytes.length > maxBytes) break;
    if (batch.length === 0) batchFirst = seq;
    batch.push(bytes);
    size += bytes.length;
    seq++;
  }
  if (batch.length > 0) datagrams.push(framing.frame(batchFirst, batch));
  return datagrams;
}
