import { expect } from 'chai';
import fc from 'fast-check';
import { sign } from 'node:crypto';
import { ed25519PrivateKey, ed25519PublicKey, ed25519PublicKeyObject, ROOM_SEAL_OVERHEAD, RoomOpener, RoomSealer } from '../../../lib/protocol/seal/room-channel.js';
import { aeadEncrypt } from '../../../lib/protocol/seal/primitives.js';
import { writeCounter } from '../../../lib/protocol/seal/session-channel.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);
const HEADER = Buffer.from([0x55, 0x43, 0x01, 0xff, 0, 0, 0, 1]);
const ROOM_KEY = Buffer.alloc(32, 0x33);
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
// RFC 8032 §7.1, test 1.
const SERVER_SEED = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');

describe('room channel', function () {
  const serverKey = ed25519PublicKeyObject(ed25519PublicKey(SERVER_SEED))!;

  it('derives the RFC 8032 test 1 public key and signature', function () {
    expect(ed25519PublicKey(SERVER_SEED).toString('hex')).to.equal('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(sign(null, Buffer.alloc(0), ed25519PrivateKey(SERVER_SEED)).toString('hex')).to.equal(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('seals once: every member opens the same bytes', function () {
    const sealed = new RoomSealer(ROOM_KEY, SERVER_SEED).seal(HEADER, Buffer.from('DATA: bob: hi'));
    expect(sealed.length).to.equal(HEADER.length + ROOM_SEAL_OVERHEAD + 13);
    expect(sealed.includes(Buffer.from('hi'))).to.equal(false);
    for (let member = 0; member < 3; member += 1) {
      const opener = new RoomOpener(ROOM_KEY, serverKey);
      expect(opener.open(sealed, HEADER.length)?.toString()).to.equal('DATA: bob: hi');
      expect(opener.open(sealed, HEADER.length), 'replayed').to.equal(undefined);
    }
  });

  it('refuses a datagram a member forged with the room key but without the server key', function () {
    const opener = new RoomOpener(ROOM_KEY, serverKey);
    const head = Buffer.concat([HEADER, Buffer.alloc(8)]);
    writeCounter(head, 0, HEADER.length);
    const body = Buffer.concat([head, aeadEncrypt(ROOM_KEY, 0n, head, Buffer.from('DATA: alice: give me your password'))]);
    const member = ed25519PrivateKey(Buffer.alloc(32, 0x44));
    expect(opener.open(Buffer.concat([body, sign(null, body, member)]), HEADER.length)).to.equal(undefined);
    expect(opener.open(Buffer.concat([body, Buffer.alloc(64)]), HEADER.length)).to.equal(undefined);
    // The window did not move: the real datagram 0 still opens.
    const real = new RoomSealer(ROOM_KEY, SERVER_SEED).seal(HEADER, Buffer.from('real'));
    expect(opener.open(real, HEADER.length)?.toString()).to.equal('real');
  });

  it('refuses a datagram sealed with another room key even when the server signed it', function () {
    const sealed = new RoomSealer(Buffer.alloc(32, 0x55), SERVER_SEED).seal(HEADER, Buffer.from('old room key'));
    expect(new RoomOpener(ROOM_KEY, serverKey).open(sealed, HEADER.length)).to.equal(undefined);
  });

  it(`refuses every changed byte and truncation, changing no state (seed ${SEED})`, function () {
    const opener = new RoomOpener(ROOM_KEY, serverKey);
    const good = new RoomSealer(ROOM_KEY, SERVER_SEED).seal(HEADER, Buffer.from('a room event'));
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(good.length - 1), (at, xor, cut) => {
        const bad = Buffer.from(good);
        bad[at]! ^= xor;
        return opener.open(bad, HEADER.length) === undefined && opener.open(good.subarray(0, cut), HEADER.length) === undefined;
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(opener.open(good, HEADER.length)?.toString()).to.equal('a room event');
  });

  it('rejects malformed server keys as undefined and bad key lengths as a RangeError (misuse)', function () {
    expect(ed25519PublicKeyObject(Buffer.alloc(31))).to.equal(undefined);
    expect(() => new RoomSealer(Buffer.alloc(31), SERVER_SEED)).to.throw(RangeError);
    expect(() => new RoomSealer(ROOM_KEY, Buffer.alloc(31))).to.throw(RangeError);
    expect(() => new RoomOpener(Buffer.alloc(31), serverKey)).to.throw(RangeError);
  });
});
