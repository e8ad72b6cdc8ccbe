import { expect } from 'chai';
import { RosterState } from '../../lib/client/roster-state.js';
import type { RosterMessage } from '../../lib/protocol/messages.js';

const page = (asOfSeq: number, p: number, pages: number, nicks: string[]): RosterMessage => ({ type: 'roster', asOfSeq, page: p, pages, nicks });

describe('RosterState', () => {
  describe('#page', () => {
    it('takes a one-page snapshot as the member list, sorted case-insensitively', () => {
      const r = new RosterState();
      expect(r.page(page(5, 0, 1, ['bob', 'Alice', 'carol']))).to.equal(true);
      expect(r.ready).to.equal(true);
      expect(r.nicks()).to.deep.equal(['Alice', 'bob', 'carol']);
    });

    it('waits for every page of a snapshot, in any order, and says which is missing', () => {
      const r = new RosterState();
      expect(r.page(page(5, 2, 3, ['c']))).to.equal(false);
      expect(r.missingPage()).to.equal(0);
      expect(r.page(page(5, 0, 3, ['a']))).to.equal(false);
      expect(r.missingPage()).to.equal(1);
      expect(r.ready).to.equal(false);
      expect(r.page(page(5, 1, 3, ['b']))).to.equal(true);
      expect(r.nicks()).to.deep.equal(['a', 'b', 'c']);
    });

    it('starts over when a page of a newer snapshot arrives mid-collection', () => {
      const r = new RosterState();
      r.page(page(5, 0, 2, ['old']));
      expect(r.page(page(7, 0, 1, ['new']))).to.equal(true);
      expect(r.nicks()).to.deep.equal(['new']);
    });

    it('ignores stale pages: older than the snapshot collected, not newer than the one held, or with another page count', () => {
      const r = new RosterState();
      r.page(page(7, 0, 2, ['a']));
      expect(r.page(page(5, 1, 2, ['stale']))).to.equal(false);
      expect(r.page(page(7, 1, 3, ['other count']))).to.equal(false);
      expect(r.page(page(7, 1, 2, ['b']))).to.equal(true);
      expect(r.page(page(7, 0, 1, ['again']))).to.equal(false);
      expect(r.page(page(6, 0, 1, ['older']))).to.equal(false);
      expect(r.nicks()).to.deep.equal(['a', 'b']);
    });
  });

  describe('#presence', () => {
    it('applies join and leave entries after the snapshot, and ignores those it already reflects', () => {
      const r = new RosterState();
      r.page(page(10, 0, 1, ['a', 'b']));
      expect(r.presence(9, 'z', 'join')).to.equal(false);
      expect(r.presence(10, 'a', 'leave')).to.equal(false);
      expect(r.presence(11, 'c', 'join')).to.equal(true);
      expect(r.presence(12, 'b', 'leave')).to.equal(true);
      expect(r.nicks()).to.deep.equal(['a', 'c']);
    });

    it('holds entries delivered before the snapshot is complete and applies the later ones then', () => {
      const r = new RosterState();
      expect(r.presence(4, 'early', 'join')).to.equal(false);
      expect(r.presence(6, 'late', 'join')).to.equal(false);
      expect(r.presence(7, 'a', 'leave')).to.equal(false);
      r.page(page(5, 0, 1, ['a', 'early']));
      expect(r.nicks()).to.deep.equal(['early', 'late']);
    });
  });

  describe('#startSnapshot and #forget', () => {
    it('startSnapshot collects a new snapshot but keeps showing the members it has', () => {
      const r = new RosterState();
      r.page(page(3, 0, 1, ['a']));
      r.startSnapshot();
      expect(r.ready).to.equal(false);
      expect(r.nicks()).to.deep.equal(['a']);
      expect(r.page(page(4, 0, 1, ['a', 'b']))).to.equal(true);
      expect(r.nicks()).to.deep.equal(['a', 'b']);
    });

    it('forget forgets everything, so a new instance with lower seqs is taken', () => {
      const r = new RosterState();
      r.page(page(300, 0, 1, ['a']));
      r.forget();
      expect(r.nicks()).to.deep.equal([]);
      expect(r.page(page(2, 0, 1, ['fresh']))).to.equal(true);
      expect(r.nicks()).to.deep.equal(['fresh']);
    });
  });
});
