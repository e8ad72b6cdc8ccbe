import { expect } from 'chai';
import { MemberList } from '../../lib/client/member-list.js';
import type { RosterMember } from '../../lib/protocol/messages.js';

const page = (asOfSeq: number, p: number, pages: number, members: RosterMember[]) => ({ asOfSeq, page: p, pages, members });

describe('MemberList', () => {
  describe('#page', () => {
    it('takes an RROSTER snapshot with away flags, sorted case-insensitively', () => {
      const list = new MemberList();
      expect(list.page(page(5, 1, 2, [{ nick: 'bob', away: true }]))).to.equal(false);
      expect(list.missingPage()).to.equal(0);
      expect(list.page(page(5, 0, 2, [{ nick: 'Alice', away: false }]))).to.equal(true);
      expect(list.ready).to.equal(true);
      expect(list.list()).to.deep.equal([
        { nick: 'Alice', away: false },
        { nick: 'bob', away: true },
      ]);
      expect(list.isAway('bob')).to.equal(true);
    });
  });

  describe('#change', () => {
    it('applies joins, leaves, renames (keeping the away flag) and away entries after the snapshot', () => {
      const list = new MemberList();
      list.page(page(5, 0, 1, [{ nick: 'a', away: true }, { nick: 'b', away: false }]));
      expect(list.change(5, { kind: 'leave', nick: 'b' })).to.equal(false);
      expect(list.change(6, { kind: 'rename', from: 'a', to: 'z' })).to.equal(true);
      expect(list.change(7, { kind: 'join', nick: 'c' })).to.equal(true);
      expect(list.change(8, { kind: 'away', nick: 'b', away: true })).to.equal(true);
      expect(list.change(9, { kind: 'away', nick: 'nobody', away: true })).to.equal(false);
      expect(list.change(10, { kind: 'leave', nick: 'c' })).to.equal(true);
      expect(list.list()).to.deep.equal([
        { nick: 'b', away: true },
        { nick: 'z', away: true },
      ]);
    });

    it('holds entries delivered before the snapshot is complete (startSnapshot) and applies the later ones then', () => {
      const list = new MemberList();
      list.startSnapshot();
      expect(list.change(4, { kind: 'join', nick: 'early' })).to.equal(false);
      expect(list.change(6, { kind: 'join', nick: 'late' })).to.equal(false);
      list.page(page(5, 0, 1, [{ nick: 'a', away: false }]));
      expect(list.list().map((m) => m.nick)).to.deep.equal(['a', 'late']);
    });
  });
});
