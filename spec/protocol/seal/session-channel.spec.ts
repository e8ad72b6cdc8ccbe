import { expect } from 'chai';
import fc from 'fast-check';
import { Opener, readCounter, SEAL_OVERHEAD, Sealer, SessionChannel, writeCounter } from '../../../lib/protocol/seal/session-channel.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);
const HEADER = Buffer.from([0x55, 0x43, 0x01, 0x7f, 0, 0, 0, 9]);
const KEY = Buffer.alloc(32, 0x42);

describe('session channel', function () {
  it('seals header ‖ counter ‖ ciphertext ‖ tag and opens it once', function () {
    const sealer = new Sealer(KEY);
    const opener = new Opener(KEY);
    const sealed = sealer.seal(HEADER, Buffer.from('SAY hello'));
    expect(sealed.length).to.equal(HEADER.length + SEAL_OVERHEAD + 9);
    expect(sealed.subarray(0, HEADER.length)).to.deep.equal(HEADER);
    expect(readCounter(sealed, HEADER.length)).to.equal(0);
    expect(sealed.includes(Buffer.from('hello'))).to.equal(false);
    expect(opener.open(sealed, HEADER.length)?.toString()).to.equal('SAY hello');
    expect(opener.open(sealed, HEADER.length), 'replayed').to.equal(undefined);
  });

  it('numbers datagrams 0, 1, 2 … and opens them in any order within the window', function () {
    const sealer = new Sealer(KEY);
    const opener = new Opener(KEY);
    const sealed = Array.from({ length: 50 }, (_, i) => sealer.seal(HEADER, Buffer.from(`m${i}`)));
    expect(sealed.map((d) => readCounter(d, HEADER.length))).to.deep.equal([...Array(50).keys()]);
    const order = [...sealed.keys()].reverse();
    for (const i of order) expect(opener.open(sealed[i]!, HEADER.length)?.toString()).to.equal(`m${i}`);
    for (const i of order) expect(opener.open(sealed[i]!, HEADER.length)).to.equal(undefined);
    expect(opener.highestCounter).to.equal(49);
  });

  it(`refuses every changed byte (header, counter, ciphertext, tag) and truncation, and changes no state (seed ${SEED})`, function () {
    const sealer = new Sealer(KEY);
    const opener = new Opener(KEY);
    const good = sealer.seal(HEADER, Buffer.from('a datagram that matters'));
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(good.length - 1), (at, xor, cut) => {
        const bad = Buffer.from(good);
        bad[at]! ^= xor;
        return opener.open(bad, HEADER.length) === undefined && opener.open(good.subarray(0, cut), HEADER.length) === undefined;
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(opener.highestCounter).to.equal(-1);
    expect(opener.open(good, HEADER.length)?.toString()).to.equal('a datagram that matters');
  });

  it('a forged datagram with a far-ahead counter does not move the window', function () {
    const sealer = new Sealer(KEY);
    const opener = new Opener(KEY);
    const first = sealer.seal(HEADER, Buffer.from('one'));
    const forged = Buffer.from(first);
    writeCounter(forged, 1_000_000, HEADER.length);
    expect(opener.open(forged, HEADER.length)).to.equal(undefined);
    expect(opener.highestCounter).to.equal(-1);
    expect(opener.open(first, HEADER.length)?.toString()).to.equal('one');
  });

  it('refuses datagrams sealed under another key or read with another header length', function () {
    const sealed = new Sealer(KEY).seal(HEADER, Buffer.from('x'));
    expect(new Opener(Buffer.alloc(32, 1)).open(sealed, HEADER.length)).to.equal(undefined);
    expect(new Opener(KEY).open(sealed, HEADER.length - 1)).to.equal(undefined);
  });

  it('pairs the two keys of a handshake: what one side seals the other opens', function () {
    const a = new SessionChannel({ sendKey: Buffer.alloc(32, 1), receiveKey: Buffer.alloc(32, 2) });
    const b = new SessionChannel({ sendKey: Buffer.alloc(32, 2), receiveKey: Buffer.alloc(32, 1) });
    expect(b.open(a.seal(HEADER, Buffer.from('ping')), HEADER.length)?.toString()).to.equal('ping');
    expect(a.open(b.seal(HEADER, Buffer.from('pong')), HEADER.length)?.toString()).to.equal('pong');
    expect(a.open(a.seal(HEADER, Buffer.from('echo')), HEADER.length), 'own datagram reflected').to.equal(undefined);
  });

  it('reads counters of 2^53 and more as refused, and writes counters above 2^32', function () {
    const out = Buffer.alloc(8);
    writeCounter(out, 2 ** 40 + 5, 0);
    expect(readCounter(out, 0)).to.equal(2 ** 40 + 5);
    expect(readCounter(Buffer.from('0020000000000000', 'hex'), 0)).to.equal(-1);
    expect(readCounter(Buffer.from('ffffffffffffffff', 'hex'), 0)).to.equal(-1);
  });

  it('throws a RangeError for a key that is not 32 bytes (our misuse)', function () {
    expect(() => new Sealer(Buffer.alloc(16))).to.throw(RangeError);
    expect(() => new Opener(Buffer.alloc(33))).to.throw(RangeError);
  });
});
