import { expect } from 'chai';
import fc from 'fast-check';
import { hkdfSync } from 'node:crypto';
import { aeadDecrypt, aeadEncrypt, aeadKey, hkdf, x25519, x25519KeyPair } from '../../../lib/protocol/seal/primitives.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('seal primitives', function () {
  describe('x25519', function () {
    // RFC 7748 §6.1.
    const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');

    it('derives the public keys of RFC 7748 §6.1', function () {
      expect(x25519KeyPair(alice).publicKey.toString('hex')).to.equal('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      expect(x25519KeyPair(bob).publicKey.toString('hex')).to.equal('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    });

    it('computes the shared secret of RFC 7748 §6.1 from both sides', function () {
      const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      expect(x25519(alice, x25519KeyPair(bob).publicKey)?.toString('hex')).to.equal(shared);
      expect(x25519(bob, x25519KeyPair(alice).publicKey)?.toString('hex')).to.equal(shared);
    });

    it('returns undefined for a low-order or wrongly sized peer key instead of throwing', function () {
      const one = Buffer.alloc(32);
      one[0] = 1;
      for (const key of [Buffer.alloc(32), one, Buffer.alloc(31), Buffer.alloc(33)]) expect(x25519(alice, key)).to.equal(undefined);
    });

    it('throws a RangeError for a private key that is not 32 bytes (our misuse)', function () {
      expect(() => x25519KeyPair(Buffer.alloc(31))).to.throw(RangeError);
    });
  });

  describe('ChaCha20-Poly1305 with the Noise nonce', function () {
    const key = Buffer.alloc(32, 7);

    it('opens what it sealed, with the same nonce and associated data only', function () {
      const sealed = aeadEncrypt(key, 5n, Buffer.from('ad'), Buffer.from('hello'));
      expect(sealed.length).to.equal(5 + 16);
      expect(aeadDecrypt(key, 5n, Buffer.from('ad'), sealed)?.toString()).to.equal('hello');
      expect(aeadDecrypt(key, 6n, Buffer.from('ad'), sealed)).to.equal(undefined);
      expect(aeadDecrypt(key, 5n, Buffer.from('aD'), sealed)).to.equal(undefined);
      expect(aeadDecrypt(Buffer.alloc(32, 8), 5n, Buffer.from('ad'), sealed)).to.equal(undefined);
    });

    it(`gives the same bytes for a key object and a number counter as for raw bytes and a bigint (seed ${SEED})`, function () {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.maxSafeNat(), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 200 }), (raw, n, ad, text) => {
          const sealed = aeadEncrypt(raw, BigInt(n), ad, text);
          const k = aeadKey(raw);
          return (
            aeadEncrypt(k, n, ad, text).equals(sealed) &&
            aeadDecrypt(k, n, ad, sealed)?.equals(text) === true &&
            aeadDecrypt(raw, BigInt(n), ad, aeadEncrypt(k, n, ad, text))?.equals(text) === true &&
            aeadDecrypt(k, n + 1, ad, sealed) === undefined
          );
        }),
        { seed: SEED, numRuns: 200 },
      );
    });

    it('writes a number counter as the bigint one at the 32-bit boundaries and the largest safe counter', function () {
      const k = aeadKey(key);
      for (const n of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 0x4746_4544_4342, Number.MAX_SAFE_INTEGER]) {
        const raw = aeadEncrypt(key, BigInt(n), Buffer.from('ad'), Buffer.from('x'));
        expect(aeadEncrypt(k, n, Buffer.from('ad'), Buffer.from('x')).equals(raw), `counter ${n}`).to.equal(true);
      }
    });

    it(`refuses every changed or truncated ciphertext (seed ${SEED})`, function () {
      const sealed = aeadEncrypt(key, 1n, Buffer.alloc(0), Buffer.from('a message of some length'));
      fc.assert(
        fc.property(fc.nat(sealed.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
          const copy = Buffer.from(sealed);
          copy[at]! ^= xor;
          return aeadDecrypt(key, 1n, Buffer.alloc(0), copy) === undefined && aeadDecrypt(key, 1n, Buffer.alloc(0), sealed.subarray(0, at)) === undefined;
        }),
        { seed: SEED, numRuns: 300 },
      );
    });
  });

  describe('hkdf', function () {
    it(`is RFC 5869 HKDF with the chaining key as salt and empty info (seed ${SEED})`, function () {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), (ck, ikm) => {
          const expected = Buffer.from(hkdfSync('sha256', ikm, ck, Buffer.alloc(0), 96));
          return Buffer.concat(hkdf(ck, ikm, 3)).equals(expected) && Buffer.concat(hkdf(ck, ikm, 2)).equals(expected.subarray(0, 64));
        }),
        { seed: SEED, numRuns: 100 },
      );
    });
  });
});
