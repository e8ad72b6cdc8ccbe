import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CipherState } from '../../../lib/protocol/seal/cipher-state.js';
import { HandshakeState, protocolName } from '../../../lib/protocol/seal/handshake.js';
import type { HandshakeOptions, IkPattern } from '../../../lib/protocol/seal/handshake.js';
import { x25519KeyPair } from '../../../lib/protocol/seal/primitives.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);

interface Vector {
  source: string;
  protocol_name: string;
  init_prologue: string;
  init_psks?: string[];
  init_static: string;
  init_ephemeral: string;
  init_remote_static: string;
  resp_prologue: string;
  resp_psks?: string[];
  resp_static: string;
  resp_ephemeral: string;
  handshake_hash?: string;
  messages: Array<{ payload: string; ciphertext: string }>;
}

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/noise-ik-vectors.json'), 'utf8')) as { vectors: Vector[] };
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function pair(v: Vector): [HandshakeState, HandshakeState] {
  const pattern = /^Noise_(IK(?:psk[12])?)_/.exec(v.protocol_name)![1] as IkPattern;
  const psk = (psks: string[] | undefined): { psk: Buffer } | object => (psks?.[0] === undefined ? {} : { psk: hex(psks[0]) });
  const initiator = new HandshakeState({
    pattern,
    role: 'initiator',
    prologue: hex(v.init_prologue),
    staticPrivateKey: hex(v.init_static),
    ephemeralPrivateKey: hex(v.init_ephemeral),
    remoteStaticPublicKey: hex(v.init_remote_static),
    ...psk(v.init_psks),
  });
  const responder = new HandshakeState({
    pattern,
    role: 'responder',
    prologue: hex(v.resp_prologue),
    staticPrivateKey: hex(v.resp_static),
    ephemeralPrivateKey: hex(v.resp_ephemeral),
    ...psk(v.resp_psks),
  });
  return [initiator, responder];
}

describe('HandshakeState', function () {
  describe('published test vectors', function () {
    for (const v of FIXTURE.vectors) {
      it(`matches ${v.source}'s ${v.protocol_name} byte for byte (handshake and ${v.messages.length - 2} transport messages)`, function () {
        const [initiator, responder] = pair(v);
        const [m1, m2, ...transport] = v.messages;
        expect(initiator.writeMessage(hex(m1!.payload)).toString('hex')).to.equal(m1!.ciphertext);
        expect(responder.readMessage(hex(m1!.ciphertext))?.toString('hex')).to.equal(m1!.payload);
        expect(responder.writeMessage(hex(m2!.payload)).toString('hex')).to.equal(m2!.ciphertext);
        expect(initiator.readMessage(hex(m2!.ciphertext))?.toString('hex')).to.equal(m2!.payload);
        const [i, r] = [initiator.result(), responder.result()];
        if (v.handshake_hash !== undefined) expect(i.handshakeHash.toString('hex')).to.equal(v.handshake_hash);
        expect(r.handshakeHash).to.deep.equal(i.handshakeHash);
        expect(r.remoteStaticPublicKey).to.deep.equal(x25519KeyPair(hex(v.init_static)).publicKey);
        const sides = [
          { send: new CipherState(i.sendKey), receive: new CipherState(i.receiveKey) },
          { send: new CipherState(r.sendKey), receive: new CipherState(r.receiveKey) },
        ];
        transport.forEach((m, index) => {
          const [from, to] = index % 2 === 0 ? [sides[0]!, sides[1]!] : [sides[1]!, sides[0]!];
          expect(from.send.encryptWithAd(Buffer.alloc(0), hex(m.payload)).toString('hex')).to.equal(m.ciphertext);
          expect(to.receive.decryptWithAd(Buffer.alloc(0), hex(m.ciphertext))?.toString('hex')).to.equal(m.payload);
        });
      });
    }

    it('covers IK, IKpsk1 and IKpsk2', function () {
      const names = new Set(FIXTURE.vectors.map((v) => v.protocol_name));
      for (const pattern of ['IK', 'IKpsk1', 'IKpsk2'] as const) expect(names).to.include(protocolName(pattern));
    });
  });

  describe('IKpsk1 between two sides', function () {
    const server = x25519KeyPair(Buffer.alloc(32, 1));
    const base = (role: 'initiator' | 'responder', psk: Buffer, ephemeral: number): HandshakeOptions => ({
      pattern: 'IKpsk1',
      role,
      prologue: Buffer.from('udp-chat test'),
      staticPrivateKey: role === 'initiator' ? Buffer.alloc(32, 2) : server.privateKey,
      ephemeralPrivateKey: Buffer.alloc(32, ephemeral),
      psk,
      ...(role === 'initiator' ? { remoteStaticPublicKey: server.publicKey } : {}),
    });

    it('gives message 1 as 96 bytes plus the payload and message 2 as 48 plus the payload', function () {
      const initiator = new HandshakeState(base('initiator', Buffer.alloc(32), 3));
      const responder = new HandshakeState(base('responder', Buffer.alloc(32), 4));
      const m1 = initiator.writeMessage(Buffer.from('hello'));
      expect(m1.length).to.equal(96 + 5);
      expect(responder.readMessage(m1)?.toString()).to.equal('hello');
      const m2 = responder.writeMessage(Buffer.alloc(0));
      expect(m2.length).to.equal(48);
      expect(initiator.readMessage(m2)?.length).to.equal(0);
      expect(initiator.result().sendKey).to.deep.equal(responder.result().receiveKey);
      expect(initiator.result().receiveKey).to.deep.equal(responder.result().sendKey);
    });

    it('refuses message 1 made with another psk (a wrong passphrase), and stays ready for the right one', function () {
      const responder = new HandshakeState(base('responder', Buffer.alloc(32, 9), 4));
      const wrong = new HandshakeState(base('initiator', Buffer.alloc(32, 8), 3)).writeMessage(Buffer.from('x'));
      expect(responder.readMessage(wrong)).to.equal(undefined);
      expect(responder.lastFailure, 'the static key decrypted, the payload did not').to.equal('payload');
      const right = new HandshakeState(base('initiator', Buffer.alloc(32, 9), 3)).writeMessage(Buffer.from('x'));
      expect(responder.readMessage(right)?.toString()).to.equal('x');
      expect(responder.lastFailure).to.equal(undefined);
    });

    it('refuses message 1 for another server key (the client pinned a different server)', function () {
      const other = x25519KeyPair(Buffer.alloc(32, 7)).publicKey;
      const m1 = new HandshakeState({ ...base('initiator', Buffer.alloc(32), 3), remoteStaticPublicKey: other }).writeMessage(Buffer.alloc(0));
      const responder = new HandshakeState(base('responder', Buffer.alloc(32), 4));
      expect(responder.readMessage(m1)).to.equal(undefined);
      expect(responder.lastFailure, 'not for us, not a wrong passphrase').to.equal('malformed');
    });

    it('refuses a low-order ephemeral key without throwing', function () {
      const m1 = new HandshakeState(base('initiator', Buffer.alloc(32), 3)).writeMessage(Buffer.alloc(0));
      const forged = Buffer.from(m1);
      forged.fill(0, 0, 32); // the all-zero point: X25519 with it gives zero
      expect(new HandshakeState(base('responder', Buffer.alloc(32), 4)).readMessage(forged)).to.equal(undefined);
    });

    it(`refuses every mutated or truncated message 1 and 2 and changes no state (seed ${SEED})`, function () {
      const initiator = new HandshakeState(base('initiator', Buffer.alloc(32), 3));
      const responder = new HandshakeState(base('responder', Buffer.alloc(32), 4));
      const m1 = initiator.writeMessage(Buffer.from('payload one'));
      const mutate = (m: Buffer) =>
        fc.oneof(
          fc.record({ at: fc.nat(m.length - 1), bit: fc.integer({ min: 0, max: 7 }) }).map(({ at, bit }) => {
            const copy = Buffer.from(m);
            copy[at]! ^= 1 << bit;
            return copy;
          }),
          fc.nat(m.length - 1).map((n) => m.subarray(0, n)),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        );
      fc.assert(fc.property(mutate(m1), (bad) => responder.readMessage(bad) === undefined), { seed: SEED, numRuns: 500 });
      expect(responder.readMessage(m1)?.toString()).to.equal('payload one');
      const m2 = responder.writeMessage(Buffer.from('payload two'));
      fc.assert(fc.property(mutate(m2), (bad) => initiator.readMessage(bad) === undefined), { seed: SEED, numRuns: 500 });
      expect(initiator.readMessage(m2)?.toString()).to.equal('payload two');
      expect(initiator.result().handshakeHash).to.deep.equal(responder.result().handshakeHash);
    });

    it('throws on our own misuse: writing out of turn, a result before the end, a missing psk or server key', function () {
      const initiator = new HandshakeState(base('initiator', Buffer.alloc(32), 3));
      expect(() => initiator.result()).to.throw('not complete');
      initiator.writeMessage(Buffer.alloc(0));
      expect(() => initiator.writeMessage(Buffer.alloc(0))).to.throw('not our turn');
      const { psk: _psk, ...withoutPsk } = base('responder', Buffer.alloc(32), 4);
      expect(() => new HandshakeState(withoutPsk)).to.throw(RangeError);
      const { remoteStaticPublicKey: _rs, ...withoutServer } = base('initiator', Buffer.alloc(32), 3);
      expect(() => new HandshakeState(withoutServer)).to.throw(RangeError);
    });
  });
});
