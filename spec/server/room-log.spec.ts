/** The room log's kept entries: copies carved from slabs of its own (room-log.ts keptCopy). */
import { expect } from 'chai';
import { decodeEntry } from '../../lib/protocol/entry-codec.js';
import { Reader } from '../../lib/protocol/wire.js';
import { RoomLog, keptCopy } from '../../lib/server/room-log.js';

describe('RoomLog kept entries', () => {
  it('keeps a copy (never the caller\'s buffer) with the same bytes', () => {
    const b = Buffer.from('an encoded entry');
    const k = keptCopy(b);
    expect(k.equals(b)).to.equal(true);
    b[0] = 0;
    expect(k[0]).to.equal('a'.charCodeAt(0));
  });

  it('carves consecutive entries from one 64 KiB slab of its own, not from Node\'s shared pool, and starts a new slab when one is full', () => {
    // Start just after a fresh slab began (other specs in this process used the current one).
    const start = keptCopy(Buffer.alloc(1)).buffer;
    for (let i = 0; i < 100 && keptCopy(Buffer.alloc(1000)).buffer === start; i++);
    const first = keptCopy(Buffer.alloc(100, 1));
    const second = keptCopy(Buffer.alloc(100, 2));
    expect(second.buffer).to.equal(first.buffer);
    expect(first.buffer.byteLength).to.equal(64 * 1024);
    expect(first.buffer).to.not.equal(Buffer.allocUnsafe(10).buffer);
    const slabs = new Set<ArrayBufferLike>();
    for (let i = 0; i < 700; i++) slabs.add(keptCopy(Buffer.alloc(1200, i)).buffer);
    // 700 × 1200 bytes = 840,000 bytes: 13 or 14 slabs, each entry whole in one of them.
    expect(slabs.size).to.be.within(13, 14);
    expect(second.every((x) => x === 2)).to.equal(true);
  });

  it('stores appended entries as kept copies that decode back to the entry', () => {
    const log = new RoomLog(4);
    for (let i = 1; i <= 6; i++) log.append({ kind: 'msg', time: 1_700_000_000_000.7 + i, nick: 'ann', target: 0, text: `m${i}` });
    expect(log.oldestSeq).to.equal(3);
    const bytes = log.bytesOf(6);
    expect(bytes?.buffer.byteLength).to.equal(64 * 1024);
    expect(decodeEntry(new Reader(bytes as Buffer, 0), 6)).to.deep.equal({ kind: 'msg', seq: 6, time: 1_700_000_000_006, nick: 'ann', target: 0, text: 'm6' });
  });
});
