import { expect } from 'chai';
import { TokenBucket } from '../../lib/server/token-bucket.js';

describe('TokenBucket', () => {
  describe('#take', () => {
    it('starts full: gives `burst` tokens at once, then refuses', () => {
      const b = new TokenBucket(10, 3, 0);
      expect([b.take(0), b.take(0), b.take(0), b.take(0)]).to.deep.equal([true, true, true, false]);
    });

    it('refills at `rate` per second on the clock it is given', () => {
      const b = new TokenBucket(10, 1, 0);
      expect(b.take(0)).to.equal(true);
      expect(b.take(99)).to.equal(false);
      expect(b.take(100)).to.equal(true);
      expect(b.take(150)).to.equal(false);
    });

    it('saves at most `burst` tokens however long it was idle', () => {
      const b = new TokenBucket(100, 2, 0);
      b.take(0);
      b.take(0);
      let taken = 0;
      while (b.take(60_000)) taken++;
      expect(taken).to.equal(2);
    });

    it('ignores a clock that goes backwards (no refill, no negative tokens)', () => {
      const b = new TokenBucket(10, 1, 1_000);
      expect(b.take(1_000)).to.equal(true);
      expect(b.take(500)).to.equal(false);
      expect(b.take(1_099)).to.equal(false);
      expect(b.take(1_100)).to.equal(true);
    });
  });

  describe('#nextTokenAt', () => {
    it('is now while a token is there', () => {
      expect(new TokenBucket(5, 1, 0).nextTokenAt(42)).to.equal(42);
    });

    it('is when the next whole token will have refilled', () => {
      const b = new TokenBucket(4, 1, 0);
      b.take(0);
      expect(b.nextTokenAt(0)).to.equal(250);
      expect(b.nextTokenAt(100)).to.equal(250);
      expect(b.take(b.nextTokenAt(100))).to.equal(true);
    });
  });
});
