/**
 * Packs consecutive log entries into DATA datagrams (docs/protocol.md §4.3, §6.1.5):
 * as many as fit in 1200 bytes and 255 entries each, in sequence order.
 */
import { DATA_OVERHEAD, encodeData } from '../protocol/codec.js';
import { MAX_DATAGRAM, MAX_ENTRIES } from '../protocol/constants.js';

/**
 * DATA datagrams for entries `from`..`to` (inclusive), stopping at the first entry `bytesOf`
 * does not have, after `maxDatagrams`, or before the datagrams would pass `maxBytes` in all.
 */
export function packEntries(
  from: number,
  to: number,
  bytesOf: (seq: number) => Buffer | undefined,
  maxDatagrams = Infinity,
  maxBytes = Infinity,
): Buffer[] {
  const datagrams: Buffer[] = [];
  let total = 0;
  let seq = from;
  let batch: Buffer[] = [];
  let batchFirst = from;
  let size = DATA_OVERHEAD;
  while (seq <= to && datagrams.length < maxDatagrams) {
    const bytes = bytesOf(seq);
    if (bytes === undefined) break;
    if (batch.length > 0 && (size + bytes.length > MAX_DATAGRAM || batch.length === MAX_ENTRIES)) {
      datagrams.push(encodeData(batchFirst, batch));
      total += size;
      batch = [];
      size = DATA_OVERHEAD;
      if (datagrams.length >= maxDatagrams) break;
    }
    if (total + size + bytes.length > maxBytes) break;
    if (batch.length === 0) batchFirst = seq;
    batch.push(bytes);
    size += bytes.length;
    seq++;
  }
  if (batch.length > 0) datagrams.push(encodeData(batchFirst, batch));
  return datagrams;
}
