/**
 * The datagram of the batching relay (bench/relay.ts --batch): the SAY datagrams it received in
 * one event-loop turn, forwarded together as udp-chat packs DATA entries (at most 1200 bytes and
 * 255 messages per datagram). Layout: "UC", version, type 0x7E, then per message a u16 length and
 * the SAY datagram as it arrived. No sequence numbers, checksum of its own, acks or repair.
 */
import { MAX_DATAGRAM, MAX_ENTRIES, VERSION } from '../lib/protocol/index.js';

export const BATCH_TYPE = 0x7e;
const HEAD = 4;

/** Packs messages into as few batch datagrams as fit (a message too big for one is dropped). */
export function packBatches(msgs: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = HEAD;
  const close = (): void => {
    if (parts.length === 0) return;
    const b = Buffer.allocUnsafe(size);
    b[0] = 0x55;
    b[1] = 0x43;
    b[2] = VERSION;
    b[3] = BATCH_TYPE;
    let o = HEAD;
    for (const p of parts) {
      o = b.writeUInt16BE(p.length, o);
      o += p.copy(b, o);
    }
    out.push(b);
    parts = [];
    size = HEAD;
  };
  for (const m of msgs) {
    if (HEAD + 2 + m.length > MAX_DATAGRAM) continue;
    if (size + 2 + m.length > MAX_DATAGRAM || parts.length === MAX_ENTRIES) close();
    parts.push(m);
    size += 2 + m.length;
  }
  close();
  return out;
}

/** The messages of a batch datagram (views into it); stops at a truncated one. */
export function unpackBatch(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let o = HEAD;
  while (o + 2 <= buf.length) {
    const n = buf.readUInt16BE(o);
    if (o + 2 + n > buf.length) break;
    out.push(buf.subarray(o + 2, o + 2 + n));
    o += 2 + n;
  }
  return out;
}
