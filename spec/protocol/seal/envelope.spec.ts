import { expect } from 'chai';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import {
  COOKIE_BYTES,
  decodeEnvelope,
  encodeCookie,
  encodeHandshake1,
  encodeHandshake2,
  encodeHello,
  encodeRefusal,
  ENVELOPE_HEADER_BYTES,
  envelopeHeader,
  HELLO_BYTES,
} from '../../../lib/protocol/seal/envelope.js';
import { HandshakeState } from '../../../lib/protocol/seal/handshake.js';
import { x25519KeyPair } from '../../../lib/protocol/seal/primitives.js';
import { RoomOpener, RoomSealer, ed25519PublicKey, ed25519PublicKeyObject } from '../../../lib/protocol/seal/room-channel.js';
import { SessionChannel } from '../../../lib/protocol/seal/session-channel.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);
const CLIENT_ID = Buffer.alloc(16, 0xc1);
const COOKIE = Buffer.alloc(16, 0xc0);
const SERVER = x25519KeyPair(Buffer.alloc(32, 0x5e));

describe('SEALED envelope (docs/sealed-design.md §4)', function () {
  it('pads HELLO to 80 bytes, more than the 77-byte COOKIE it may draw', function () {
    const hello = encodeHello(CLIENT_ID);
    const cookie = encodeCookie(CLIENT_ID, COOKIE, SERVER.publicKey);
    expect([hello.length, cookie.length]).to.deep.equal([HELLO_BYTES, COOKIE_BYTES]);
    expect(hello.length).to.be.above(cookie.length);
    expect([...hello.subarray(0, 5)]).to.deep.equal([0x55, 0x43, 0x01, 0x7f, 1]);
    expect(decodeEnvelope(hello, 'toServer')).to.deep.equal({ kind: 'hello', clientId: CLIENT_ID });
    expect(decodeEnvelope(cookie, 'toClient')).to.deep.equal({ kind: 'cookie', clientId: CLIENT_ID, cookie: COOKIE, serverKey: SERVER.publicKey });
  });

  it('carries the Noise handshake: HANDSHAKE1 with the cookie, HANDSHAKE2 with the session index', function () {
    const common = { pattern: 'IKpsk1' as const, prologue: Buffer.from('udp-chat sealed v1'), psk: Buffer.alloc(32) };
    const client = new HandshakeState({ ...common, role: 'initiator', staticPrivateKey: Buffer.alloc(32, 1), ephemeralPrivateKey: Buffer.alloc(32, 2), remoteStaticPublicKey: SERVER.publicKey });
    const server = new HandshakeState({ ...common, role: 'responder', staticPrivateKey: SERVER, ephemeralPrivateKey: Buffer.alloc(32, 3) });
    const h1 = decodeEnvelope(encodeHandshake1(CLIENT_ID, COOKIE, client.writeMessage(Buffer.from('JOIN alice'))), 'toServer');
    if (!('kind' in h1) || h1.kind !== 'handshake1') throw new Error(`decoded ${JSON.stringify(h1)}`);
    expect([h1.clientId, h1.cookie]).to.deep.equal([CLIENT_ID, COOKIE]);
    expect(server.readMessage(h1.message)?.toString()).to.equal('JOIN alice');
    const h2 = decodeEnvelope(encodeHandshake2(42, server.writeMessage(Buffer.from('WELCOME'))), 'toClient');
    if (!('kind' in h2) || h2.kind !== 'handshake2') throw new Error(`decoded ${JSON.stringify(h2)}`);
    expect(h2.index).to.equal(42);
    expect(client.readMessage(h2.message)?.toString()).to.equal('WELCOME');
  });

  it('frames SESSION and ROOM datagrams with the 9-byte header the channels authenticate', function () {
    const a = new SessionChannel({ sendKey: Buffer.alloc(32, 1), receiveKey: Buffer.alloc(32, 2) });
    const b = new SessionChannel({ sendKey: Buffer.alloc(32, 2), receiveKey: Buffer.alloc(32, 1) });
    const sealed = a.seal(envelopeHeader('toServer', 'session', 7), Buffer.from('SAY hi'));
    const decoded = decodeEnvelope(sealed, 'toServer');
    expect(decoded).to.include({ kind: 'session', index: 7 });
    expect(b.open(sealed, ENVELOPE_HEADER_BYTES)?.toString()).to.equal('SAY hi');
    const seed = Buffer.alloc(32, 9);
    const room = new RoomSealer(Buffer.alloc(32, 4), seed).seal(envelopeHeader('toClient', 'room', 3), Buffer.from('DATA'));
    expect(decodeEnvelope(room, 'toClient')).to.include({ kind: 'room', keyId: 3 });
    const opener = new RoomOpener(Buffer.alloc(32, 4), ed25519PublicKeyObject(ed25519PublicKey(seed))!);
    expect(opener.open(room, ENVELOPE_HEADER_BYTES)?.toString()).to.equal('DATA');
  });

  it('round-trips a refusal with its code, detail and index (an unknown session index, else 0)', function () {
    const refusal = encodeRefusal(CLIENT_ID, 16, 'wrong passphrase');
    expect(decodeEnvelope(refusal, 'toClient')).to.deep.equal({ kind: 'refusal', index: 0, clientId: CLIENT_ID, code: 16, detail: 'wrong passphrase' });
    const unknown = encodeRefusal(Buffer.alloc(16), 5, '', 0xdeadbeef);
    expect(unknown.length).to.equal(31);
    expect(decodeEnvelope(unknown, 'toClient')).to.deep.equal({ kind: 'refusal', index: 0xdeadbeef, clientId: Buffer.alloc(16), code: 5, detail: '' });
  });

  const faults: Array<[string, Buffer, 'toServer' | 'toClient', string]> = [
    ['a datagram over 1200 bytes (the limit of every datagram, §2)', Buffer.alloc(1201), 'toServer', 'oversize'],
    ['fewer than 9 bytes', Buffer.from([0x55, 0x43, 1, 0x7f]), 'toServer', 'truncated'],
    ['another magic', Buffer.from('xx\u0001\u007f\u0001\u0000\u0000\u0000\u0000'), 'toServer', 'magic'],
    ['another version', Buffer.from([0x55, 0x43, 2, 0x7f, 1, 0, 0, 0, 0]), 'toServer', 'version'],
    ['a cleartext version 1 type', Buffer.from([0x55, 0x43, 1, 0x01, 1, 0, 0, 0, 0]), 'toServer', 'type'],
    ['a server-to-client envelope at the server', encodeCookie(CLIENT_ID, COOKIE, SERVER.publicKey), 'toServer', 'type'],
    ['an unknown kind', Buffer.from([0x55, 0x43, 1, 0x7f, 9, 0, 0, 0, 0]), 'toServer', 'kind'],
    ['a kind that never travels this way (ROOM to the server)', Buffer.from([0x55, 0x43, 1, 0x7f, 6, 0, 0, 0, 0]), 'toServer', 'kind'],
    ['a damaged HELLO', Buffer.from(encodeHello(CLIENT_ID).fill(1, 20, 21)), 'toServer', 'checksum'],
    ['a refusal whose detail is not UTF-8', fixCrc(Buffer.concat([envelopeHeader('toClient', 'refusal', 0), CLIENT_ID, Buffer.from([5, 2, 0xc3, 0x28]), Buffer.alloc(4)])), 'toClient', 'utf8'],
    ['a refusal that lies about its detail length', fixCrc(Buffer.concat([envelopeHeader('toClient', 'refusal', 0), CLIENT_ID, Buffer.from([5, 9, 0x41]), Buffer.alloc(4)])), 'toClient', 'length'],
    ['a SESSION too short for a counter and a tag', Buffer.concat([envelopeHeader('toServer', 'session', 1), Buffer.alloc(23)]), 'toServer', 'truncated'],
  ];
  for (const [what, datagram, receiver, fault] of faults) {
    it(`drops ${what} (${fault})`, function () {
      expect(decodeEnvelope(datagram, receiver)).to.deep.equal({ fault });
    });
  }

  it(`never throws on random or mutated datagrams, and every changed byte of a cleartext kind is refused (seed ${SEED})`, function () {
    const hello = encodeHello(CLIENT_ID);
    const session = new SessionChannel({ sendKey: Buffer.alloc(32, 1), receiveKey: Buffer.alloc(32, 2) });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1300 }), fc.nat(hello.length - 1), fc.integer({ min: 1, max: 255 }), (random, at, xor) => {
        for (const side of ['toServer', 'toClient'] as const) decodeEnvelope(random, side);
        const bad = Buffer.from(hello);
        bad[at]! ^= xor;
        // A changed kind byte can turn it into a SESSION datagram, which only its tag could accept.
        const decoded = decodeEnvelope(bad, 'toServer');
        return 'fault' in decoded || (decoded.kind === 'session' && session.open(bad, ENVELOPE_HEADER_BYTES) === undefined);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('throws a RangeError when we build an envelope wrongly (misuse)', function () {
    expect(() => envelopeHeader('toServer', 'room', 0)).to.throw(RangeError);
    expect(() => encodeHello(Buffer.alloc(15))).to.throw(RangeError);
    expect(() => encodeRefusal(CLIENT_ID, 256, '')).to.throw(RangeError);
    expect(() => encodeRefusal(CLIENT_ID, 1, 'x'.repeat(201))).to.throw(RangeError);
  });
});

/** Writes the CRC-32 trailer over a hand-made datagram whose last 4 bytes are its place. */
function fixCrc(datagram: Buffer): Buffer {
  datagram.writeUInt32BE(crc32(datagram.subarray(0, datagram.length - 4)), datagram.length - 4);
  return datagram;
}
