/**
 * Packs consecutive log entries into DATA datagrams (docs/protocol.md §4.3, §6.1.5):
 * as many as fit in the server's datagram limit (1200 bytes, less for a sealed server, §5.8)
 * and 255 entries each, in sequence order; an entry larger than the limit goes alone.
 */
import { DATA_OVERHEAD, RDATA_OVERHEAD, encodeData, encodeRData } from '../protocol/codec.js';
import { MAX_ENTRIES } from '../protocol/constants.js';

/** How a batch of encoded entries becomes a datagram of at most `limit` bytes: DATA, or RDATA of one stream (§6.3). */
export interface Framing {
  readonly overhead: number;
  /** The server's largest datagram (ServerOptions.maxDatagram). */
  readonly limit: number;
  frame(firstSeq: number, entries: readonly Buffer[]): Buffer;
}

/** DATA of at most `limit` bytes. */
export function dataFraming(limit: number): Framing {
  return { overhead: DATA_OVERHEAD, limit, frame: encodeData };
}

/** RDATA of stream `roomId`, at most `limit` bytes. */
export function rdataFraming(roomId: number, limit: number): Framing {
  return { overhead: RDATA_OVERHEAD, limit, frame: (firstSeq, entries) => encodeRData(roomId, firstSeq, entries) };
}

/**
 * Datagrams (`framing`) for entries `from`..`to` (inclusive), stopping at the first entry `bytesOf`
 * does not have, after `maxDatagrams`, or before the datagrams would pass `maxBytes` in all.
 */
export function packEntries(
  from: number,
  to: number,
  bytesOf: (seq: number) => Buffer | undefined,
  framing: Framing,
  maxDatagrams = Infinity,
  maxBytes = Infinity,
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
    if (batch.length > 0 && (size + bytes.length > framing.limit || batch.length === MAX_ENTRIES)) {
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
