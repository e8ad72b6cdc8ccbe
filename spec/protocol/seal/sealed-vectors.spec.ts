/**
 * docs/protocol.md §10 "Sealed sessions: test vectors": every block is what the code makes from
 * the document's own inputs, and the receiving side of the code accepts each datagram (so the
 * vectors are a handshake and datagrams that work, not merely bytes the code agrees with).
 */
import { expect } from 'chai';
import { ed25519PublicKeyObject, RoomOpener } from '../../../lib/protocol/seal/room-channel.js';
import { decodeEnvelope, ENVELOPE_HEADER_BYTES } from '../../../lib/protocol/seal/envelope.js';
import { HandshakeState } from '../../../lib/protocol/seal/handshake.js';
import { x25519KeyPair } from '../../../lib/protocol/seal/primitives.js';
import { NO_PASSPHRASE_PSK } from '../../../lib/protocol/seal/psk.js';
import { SEAL_PATTERN, SEAL_PROLOGUE, decodeHandshake2Payload } from '../../../lib/protocol/seal/sealed-join.js';
import { Opener } from '../../../lib/protocol/seal/session-channel.js';
import { loadDocFixtures, parseHex, readProtocolDoc } from '../doc-fixtures.js';
import { type SealedInputs, type SealedVectors, computeSealedVectors, sealedSections } from './sealed-vectors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('docs/protocol.md §10: sealed-session test vectors', function () {
  this.timeout(30_000);
  const sections = sealedSections(readProtocolDoc());
  const json = (name: string): Record<string, unknown> => {
    const text = sections.get(name)?.json;
    if (text === undefined) throw new Error(`docs/protocol.md has no "### Sealed: ${name}" with a json block`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const bytes = (name: string): Buffer => {
    const text = sections.get(name)?.hex;
    if (text === undefined) throw new Error(`docs/protocol.md has no "### Sealed: ${name}" with a hex block`);
    return parseHex(text, `Sealed: ${name}`);
  };
  const inputs = json('inputs') as unknown as SealedInputs;
  const examples = new Map(loadDocFixtures().examples.map((e) => [e.name, e.bytes]));
  let computed: SealedVectors;

  before(async function () {
    computed = await computeSealedVectors(inputs);
  });

  it('has the derived values the code computes from the inputs (public keys, the passphrase psk, handshake hashes, transport keys)', function () {
    expect(json('derived')).to.deep.equal(computed.derived);
  });

  it('has every datagram, byte for byte, and no other', function () {
    const documented = [...sections.keys()].filter((n) => n !== 'inputs' && n !== 'derived');
    expect(documented).to.deep.equal([...computed.datagrams.keys()]);
    for (const [name, d] of computed.datagrams) expect(bytes(name).toString('hex'), name).to.equal(d.bytes.toString('hex'));
  });

  it('the server side reads each HANDSHAKE1 back to the JOIN of Example: join-cookie, and refuses it under the other psk', function () {
    const psk = hex(computed.derived['passphrasePsk'] as string);
    for (const [name, right, wrong] of [
      ['handshake1', NO_PASSPHRASE_PSK, psk],
      ['handshake1-passphrase', psk, NO_PASSPHRASE_PSK],
    ] as const) {
      const env = decodeEnvelope(bytes(name), 'toServer');
      if (!('kind' in env) || env.kind !== 'handshake1') throw new Error(`${name} does not decode as HANDSHAKE1`);
      expect(env.clientId.toString('hex')).to.equal(inputs.clientId);
      expect(env.cookie.toString('hex')).to.equal(inputs.cookie);
      const responder = (p: Buffer): HandshakeState =>
        new HandshakeState({ pattern: SEAL_PATTERN, role: 'responder', prologue: SEAL_PROLOGUE, staticPrivateKey: hex(inputs.serverStatic), ephemeralPrivateKey: hex(inputs.serverEphemeral), psk: p });
      const server = responder(right);
      expect(server.readMessage(env.message)?.equals(examples.get(inputs.join) as Buffer), name).to.equal(true);
      expect(server.remoteStaticPublicKey?.toString('hex')).to.equal(computed.derived['clientStaticPublic']);
      const guesser = responder(wrong);
      expect(guesser.readMessage(env.message)).to.equal(undefined);
      expect(guesser.lastFailure, 'a wrong psk fails the payload, not the static key').to.equal('payload');
    }
  });

  it('the client side reads HANDSHAKE2 to the admission: room key, key id, the server\'s Ed25519 key and the WELCOME of Example: welcome', function () {
    const serverKey = x25519KeyPair(hex(inputs.serverStatic)).publicKey;
    const client = new HandshakeState({ pattern: SEAL_PATTERN, role: 'initiator', prologue: SEAL_PROLOGUE, staticPrivateKey: hex(inputs.clientStatic), ephemeralPrivateKey: hex(inputs.clientEphemeral), remoteStaticPublicKey: serverKey, psk: NO_PASSPHRASE_PSK });
    client.writeMessage(examples.get(inputs.join) as Buffer);
    const env = decodeEnvelope(bytes('handshake2'), 'toClient');
    if (!('kind' in env) || env.kind !== 'handshake2') throw new Error('handshake2 does not decode as HANDSHAKE2');
    expect(env.index).to.equal(inputs.sessionIndex);
    const payload = client.readMessage(env.message);
    const admission = payload === undefined ? undefined : decodeHandshake2Payload(payload);
    expect(admission?.grant).to.deep.equal({ keyId: inputs.roomKeyId, roomKey: hex(inputs.roomKey), signingKey: hex(computed.derived['serverSigningPublic'] as string) });
    expect(admission?.inner.equals(examples.get(inputs.welcome) as Buffer)).to.equal(true);
    expect(client.result().sendKey.toString('hex')).to.equal(computed.derived['keyToServer']);
  });

  it('opens the SESSION datagrams with the derived keys and the ROOM datagram with the room key and the server\'s Ed25519 key', function () {
    const toServer = new Opener(hex(computed.derived['keyToServer'] as string)).open(bytes('session-to-server'), ENVELOPE_HEADER_BYTES);
    expect(toServer?.equals(examples.get(inputs.toServer) as Buffer)).to.equal(true);
    const toClient = new Opener(hex(computed.derived['keyToClient'] as string)).open(bytes('session-to-client'), ENVELOPE_HEADER_BYTES);
    expect(toClient?.equals(examples.get(inputs.toClient) as Buffer)).to.equal(true);
    const signer = ed25519PublicKeyObject(hex(computed.derived['serverSigningPublic'] as string));
    const room = new RoomOpener(hex(inputs.roomKey), signer!).open(bytes('room'), ENVELOPE_HEADER_BYTES);
    expect(room?.equals(examples.get(inputs.room) as Buffer)).to.equal(true);
    // One byte of the signature changed: refused.
    const forged = Buffer.from(bytes('room'));
    forged[forged.length - 1]! ^= 1;
    expect(new RoomOpener(hex(inputs.roomKey), signer!).open(forged, ENVELOPE_HEADER_BYTES)).to.equal(undefined);
  });
});
