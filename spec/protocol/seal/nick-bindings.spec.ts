import { expect } from 'chai';
import { nickKey } from '../../../lib/protocol/nick.js';
import { NickBindings } from '../../../lib/protocol/seal/nick-bindings.js';

const DAY = 24 * 3600 * 1000;
const ALICE = Buffer.alloc(32, 0xa1);
const MALLORY = Buffer.alloc(32, 0x66);

describe('NickBindings', function () {
  it('binds a nick to the first key that joins with it and lets that key back in', function () {
    const bindings = new NickBindings();
    const first = bindings.claim('alice', nickKey('alice'), ALICE, 0);
    expect(first).to.include({ ok: true, created: true });
    const again = bindings.claim('Alice', nickKey('Alice'), ALICE, 5 * DAY);
    expect(again).to.include({ ok: true, created: false });
    expect(bindings.ownerOf(nickKey('alice'))).to.deep.include({ nick: 'Alice', owner: ALICE, lastUsedMs: 5 * DAY });
  });

  it('refuses the nick and its look-alikes to another key, saying when it frees itself', function () {
    const bindings = new NickBindings({ releaseAfterMs: 30 * DAY });
    bindings.claim('alice', nickKey('alice'), ALICE, 0);
    for (const lookAlike of ['alice', 'ALICE', 'al1ce', 'аlice']) {
      const result = bindings.claim(lookAlike, nickKey(lookAlike), MALLORY, 29 * DAY);
      expect(result, lookAlike).to.deep.include({ ok: false, reason: 'owned', freeAtMs: 30 * DAY });
    }
  });

  it('counts from the last use: touching keeps the binding alive', function () {
    const bindings = new NickBindings({ releaseAfterMs: 30 * DAY });
    bindings.claim('alice', nickKey('alice'), ALICE, 0);
    bindings.touch(nickKey('alice'), ALICE, 20 * DAY);
    bindings.touch(nickKey('alice'), MALLORY, 25 * DAY); // not the owner: no effect
    expect(bindings.claim('alice', nickKey('alice'), MALLORY, 40 * DAY)).to.deep.include({ ok: false, freeAtMs: 50 * DAY });
    expect(bindings.claim('alice', nickKey('alice'), MALLORY, 50 * DAY)).to.include({ ok: true, created: true });
    expect(bindings.ownerOf(nickKey('alice'))?.owner).to.deep.equal(MALLORY);
  });

  it("frees a nick when the operator releases it (a user's lost key)", function () {
    const bindings = new NickBindings();
    bindings.claim('alice', nickKey('alice'), ALICE, 0);
    expect(bindings.release(nickKey('alice'))).to.equal(true);
    expect(bindings.release(nickKey('alice'))).to.equal(false);
    expect(bindings.claim('alice', nickKey('alice'), MALLORY, 1)).to.include({ ok: true });
  });

  it('keeps a bounded table: when full, an expired binding makes room, else new nicks are refused', function () {
    const bindings = new NickBindings({ releaseAfterMs: 10, maxBindings: 2 });
    bindings.claim('a', 'a', ALICE, 0);
    bindings.claim('b', 'b', ALICE, 5);
    expect(bindings.claim('c', 'c', MALLORY, 9)).to.deep.equal({ ok: false, reason: 'full' });
    expect(bindings.claim('a', 'a', ALICE, 9)).to.include({ ok: true }); // owners still get back in
    expect(bindings.claim('c', 'c', MALLORY, 16)).to.include({ ok: true }); // b expired at 15 and went
    expect(bindings.ownerOf('b')).to.equal(undefined);
    expect(bindings.size).to.equal(2);
  });

  it('restores from its entries (the store), with copies of the keys', function () {
    const bindings = new NickBindings();
    bindings.claim('alice', nickKey('alice'), ALICE, 3);
    const restored = new NickBindings({}, bindings.entries());
    expect(restored.entries()).to.deep.equal(bindings.entries());
    expect(restored.claim('alice', nickKey('alice'), MALLORY, 4)).to.include({ ok: false });
  });
});
