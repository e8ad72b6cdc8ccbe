import { expect } from 'chai';
import { MAX_AHEAD, RoomStream } from '../../lib/client/room-stream.js';
import type { Entry } from '../../lib/protocol/messages.js';

const msg = (seq: number): Entry => ({ kind: 'msg', seq, time: 0, nick: 'a', target: 0, text: `m${seq}` });
const seqs = (entries: readonly { seq: number }[]): number[] => entries.map((e) => e.seq);

describe('RoomStream', () => {
  describe('#add and #release', () => {
    it('releases entries strictly in order, holding those that come early', () => {
      const r = new RoomStream();
      expect(r.add(msg(2))).to.equal(true);
      expect(seqs(r.release())).to.deep.equal([]);
      r.add(msg(1));
      expect(seqs(r.release())).to.deep.equal([1, 2]);
      expect(r.nextSeq).to.equal(3);
    });

    it('refuses duplicates: one already held, and one already released', () => {
      const r = new RoomStream();
      r.add(msg(3));
      expect(r.add(msg(3))).to.equal(false);
      r.add(msg(1));
      r.release();
      expect(r.add(msg(1))).to.equal(false);
    });

    it(`keeps nothing more than ${MAX_AHEAD} ahead of the next entry`, () => {
      const r = new RoomStream();
      expect(r.add(msg(1 + MAX_AHEAD))).to.equal(true);
      expect(r.add(msg(2 + MAX_AHEAD))).to.equal(false);
    });
  });

  describe('gaps', () => {
    it('has no gap until the server shows something exists beyond what was delivered', () => {
      const r = new RoomStream();
      expect(r.hasGap).to.equal(false);
      r.seen(3);
      expect(r.hasGap).to.equal(true);
      expect(r.holes()).to.deep.equal([[1, 3]]);
    });

    it('reports missing ranges between held entries, lowest first, at most 8', () => {
      const r = new RoomStream();
      for (const s of [2, 3, 6, 9]) r.add(msg(s));
      r.seen(10);
      expect(r.holes()).to.deep.equal([[1, 1], [4, 5], [7, 8], [10, 10]]);
      const many = new RoomStream();
      for (let s = 2; s <= 40; s += 2) many.add(msg(s));
      expect(many.holes()).to.have.length(8);
      expect(many.holes()[0]).to.deep.equal([1, 1]);
    });

    it('caps what it believes exists at nextSeq + MAX_AHEAD (a forged SYNC cannot make it NACK forever)', () => {
      const r = new RoomStream();
      r.seen(2 ** 32 - 1);
      expect(r.highestSeen).to.equal(1 + MAX_AHEAD);
    });

    it('closes the gap once everything seen is released', () => {
      const r = new RoomStream();
      r.seen(2);
      r.add(msg(2));
      r.add(msg(1));
      r.release();
      expect(r.hasGap).to.equal(false);
      expect(r.holes()).to.deep.equal([]);
    });
  });

  describe('#skipTo', () => {
    it('drops what lies before the new start and says how many were skipped', () => {
      const r = new RoomStream();
      r.add(msg(3));
      r.add(msg(6));
      expect(r.skipTo(5)).to.equal(4);
      expect(r.nextSeq).to.equal(5);
      expect(r.holes()).to.deep.equal([[5, 5]]);
      r.add(msg(5));
      expect(seqs(r.release())).to.deep.equal([5, 6]);
    });

    it('never moves backwards', () => {
      const r = new RoomStream();
      r.add(msg(1));
      r.release();
      expect(r.skipTo(1)).to.equal(0);
      expect(r.nextSeq).to.equal(2);
    });
  });

  describe('#reset', () => {
    it('starts over at historyFrom, with history up to baseSeq already known to exist', () => {
      const r = new RoomStream();
      r.add(msg(5));
      r.reset(10, 12);
      expect(r.nextSeq).to.equal(10);
      expect(r.historyEnd).to.equal(12);
      expect(r.holes()).to.deep.equal([[10, 12]]);
      expect(r.add(msg(5))).to.equal(false);
    });
  });
});
