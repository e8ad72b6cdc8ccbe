/**
 * Issue 10's attacks against sealed sessions, sans-I/O (docs/protocol.md §5.8, §9): forged and
 * replayed datagrams are counted drops that change no state, on both sides; sniffed bytes give
 * no way to post or leave as the victim; a changed server key and a wrong passphrase are refused.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { encode, encodeData } from '../../lib/protocol/codec.js';
import { encodeEntry } from '../../lib/protocol/entry-codec.js';
import type { Message } from '../../lib/protocol/messages.js';
import { encodeCookie, encodeHandshake2, encodeRefusal, envelopeHeader } from '../../lib/protocol/seal/envelope.js';
import { fingerprint } from '../../lib/protocol/seal/fingerprint.js';
import { generateServerKeys, serverPublicKeys } from '../../lib/protocol/seal/identity.js';
import { RoomSealer } from '../../lib/protocol/seal/room-channel.js';
import { SessionChannel } from '../../lib/protocol/seal/session-channel.js';
import { type SealedClient, SealedNet } from './sealed-net.js';

/** What a client's session looks like from outside: changing any of it is a state change. */
function snapshot(c: SealedClient): unknown {
  return {
    phase: c.core.phase,
    delivered: c.core.feed.delivered,
    nick: c.core.nick,
    peers: [...c.core.feed.roster.nicks()],
    pending: c.core.sender.outbox.size,
    deadline: c.core.nextDeadline(),
  };
}

/** One forged datagram of every server → client type, in clear, with the victim's real token and clientId. */
function forgedCleartext(c: SealedClient, token: Buffer, i: number): Buffer[] {
  const seq = 1_000_000 + i;
  const entry = encodeEntry({ kind: 'msg', seq, time: 0, nick: 'mallory', target: 0, text: `forged ${i}` });
  const messages: Message[] = [
    { type: 'cookie', clientId: c.core.clientId, cookie: randomBytes(16) },
    { type: 'welcome', clientId: c.core.clientId, token, instance: randomBytes(8), historyFrom: seq, baseSeq: seq, ackedCseq: 0, heartbeatMs: 5000, idleTimeoutMs: 30000, maxText: 1000, caps: 0, nick: 'ann' },
    { type: 'ack', token, cseq: 1000 + i },
    { type: 'sync', lastSeq: seq },
    { type: 'pong', lastSeq: seq, echo: i },
    { type: 'roster', asOfSeq: seq, page: 0, pages: 1, nicks: ['mallory'] },
    { type: 'bye', token, reason: 'timeout' },
    { type: 'error', ref: token, code: 'UDPCHAT_ERR_HISTORY_GONE', arg: seq, detail: 'forged' },
    { type: 'error', ref: c.core.clientId, code: 'UDPCHAT_ERR_NICK_TAKEN', arg: 0, detail: 'forged' },
    { type: 'owner', token, bound: true, online: true, lastUsed: 0, key: randomBytes(32), nick: 'ann' },
    { type: 'offer', nonce: randomBytes(16), protocol: 1, port: 7777, users: 1, passphrase: false, name: 'evil' },
  ];
  return [...messages.map((m) => encode(m)), dataWith(seq, entry)];
}

function dataWith(firstSeq: number, entry: Buffer): Buffer {
  // encodeData takes entries already encoded, as the server's room log keeps them.
  return encodeData(firstSeq, [entry]);
}

/** Forged SEALED datagrams: every kind, with the victim's real session index and room key id, made-up keys. */
function forgedSealed(index: number, keyId: number, i: number): Buffer[] {
  const fake = new SessionChannel({ sendKey: randomBytes(32), receiveKey: randomBytes(32) });
  const inner = encode({ type: 'sync', lastSeq: 1_000_000 + i });
  return [
    fake.seal(envelopeHeader('toClient', 'session', index), inner),
    new RoomSealer(randomBytes(32), randomBytes(32)).seal(envelopeHeader('toClient', 'room', keyId), inner),
    encodeCookie(randomBytes(16), randomBytes(16), randomBytes(32)),
    encodeHandshake2(index, randomBytes(48 + 16 + 40)),
    encodeRefusal(randomBytes(16), 16, 'forged'),
  ];
}

function tokenOf(c: SealedClient): Buffer {
  return c.core.sender.sessionToken as Buffer;
}

describe('sealed sessions against attackers (sans-I/O)', () => {
  it('a sealed client shows none of 100,000 forged datagrams of every server → client type and changes no state', function () {
    this.timeout(60_000);
    const net = new SealedNet();
    const ann = net.client('ann');
    const bob = net.client('bob');
    net.join(ann);
    net.join(bob);
    bob.core.say('real one', net.now);
    net.run();
    const before = snapshot(ann);
    const shown = ann.events.length;
    const index = ann.received.find((d) => d[4] === 5)!.readUInt32BE(5);
    const keyId = ann.received.find((d) => d[4] === 6)!.readUInt32BE(5);
    let forged = 0;
    for (let i = 0; forged < 100_000; i++) {
      for (const d of [...forgedCleartext(ann, tokenOf(ann), i), ...forgedSealed(index, keyId, i)]) {
        ann.layer.receive(d, net.now);
        forged++;
      }
    }
    expect(ann.core.drain().ordered).to.deep.equal([]);
    expect(ann.events.length).to.equal(shown);
    expect(snapshot(ann)).to.deep.equal(before);
    const drops = Object.values(ann.layer.drops).reduce((a, b) => a + b, 0);
    expect(drops).to.equal(forged);
    // And the session still works: a real message arrives, and nothing was NACKed for the forged seqs.
    bob.core.say('still here', net.now);
    net.run();
    expect(SealedNet.texts(ann)).to.deep.equal(['real one', 'still here']);
  });

  it('a forged high SYNC or DATA (in clear, or sealed with made-up keys) changes nothing: no gap, no NACKs', function () {
    const net = new SealedNet();
    const ann = net.client('ann');
    net.join(ann);
    const before = snapshot(ann);
    const index = ann.received.find((d) => d[4] === 5)!.readUInt32BE(5);
    ann.layer.receive(encode({ type: 'sync', lastSeq: 4_000_000_000 }), net.now);
    ann.layer.receive(dataWith(3_999_999_999, encodeEntry({ kind: 'msg', seq: 3_999_999_999, time: 0, nick: 'm', target: 0, text: 'x' })), net.now);
    for (const d of forgedSealed(index, 1, 0)) ann.layer.receive(d, net.now);
    expect(snapshot(ann)).to.deep.equal(before);
    const sentBefore = ann.sent.length;
    net.advance(200);
    net.advance(200);
    // Only what a quiet session sends (no NACK storm): at most a ping or two.
    expect(ann.sent.length - sentBefore).to.be.at.most(2);
    expect(net.core.stats.drops['repair-budget'] ?? 0).to.equal(0);
  });

  it('replayed datagrams are refused on both sides and change nothing', function () {
    const net = new SealedNet();
    const ann = net.client('ann');
    const bob = net.client('bob');
    net.join(ann);
    net.join(bob);
    ann.core.say('once', net.now);
    net.run();
    const accepted = net.core.stats.accepted;
    const lastSeq = net.core.log.lastSeq;
    const bobBefore = snapshot(bob);
    const bobShown = bob.events.length;
    // Every datagram ann ever sent, again, from ann's address: the server's replay window refuses them.
    for (const d of ann.sent) net.toServer(d, ann.address);
    expect(net.core.stats.accepted).to.equal(accepted);
    expect(net.core.log.lastSeq).to.equal(lastSeq);
    // Every datagram bob ever received, again: bob's replay windows refuse them.
    for (const d of bob.received) bob.layer.receive(d, net.now);
    expect(bob.core.drain().ordered).to.deep.equal([]);
    expect(bob.events.length).to.equal(bobShown);
    expect(snapshot(bob)).to.deep.equal(bobBefore);
  });

  it('sniffed bytes give no way to post or leave as the victim, from any address', function () {
    const net = new SealedNet();
    const ann = net.client('ann');
    const bob = net.client('bob');
    net.join(ann);
    net.join(bob);
    const sniffed = ann.sent.length;
    ann.core.say('mine', net.now);
    net.run();
    void ann.core.leave(net.now);
    const leaving = ann.core.drain();
    const leave = ann.layer.wrap(leaving.datagrams, net.now);
    const eve = { address: '10.6.6.6', port: 6666 };
    const members = net.core.sessions.size;
    const accepted = net.core.stats.accepted;
    // The SAY and the LEAVE as sniffed, sent from eve's address and (spoofed) from ann's.
    for (const d of [...ann.sent.slice(sniffed), ...leave]) {
      net.toServer(d, eve);
    }
    expect(net.core.sessions.size).to.equal(members);
    for (const d of ann.sent.slice(sniffed)) net.toServer(d, ann.address);
    expect(net.core.stats.accepted).to.equal(accepted);
    // A sniffed LEAVE works only once, and only because ann sent it: re-sending ann's earlier datagrams does nothing.
    expect(net.core.sessions.size).to.equal(members);
    // The token is never on the wire in clear, so a cleartext SAY with a guessed token is refused too.
    net.toServer(encode({ type: 'say', token: randomBytes(16), cseq: 1, target: 0, text: 'as ann' }), ann.address);
    expect(net.core.stats.accepted).to.equal(accepted);
  });

  it('a member who knows the room key cannot forge a room datagram to another member (signature)', function () {
    const net = new SealedNet();
    const ann = net.client('ann');
    const bob = net.client('bob');
    net.join(ann);
    net.join(bob);
    // What ann's layer was granted: the room key travels in HANDSHAKE2; a member forging signs with its own key.
    const roomKey = (net.server as unknown as { roomKey: Buffer }).roomKey;
    const forged = new RoomSealer(roomKey, randomBytes(32)).seal(envelopeHeader('toClient', 'room', 1), encode({ type: 'sync', lastSeq: 99 }));
    const before = snapshot(bob);
    bob.layer.receive(forged, net.now);
    expect(snapshot(bob)).to.deep.equal(before);
    expect(bob.layer.drops['room-open']).to.equal(1);
  });

  it('a changed server key is refused loudly; --accept-new-key (acceptNewKey) joins and reports the new key', function () {
    const net = new SealedNet();
    const other = serverPublicKeys(generateServerKeys(randomBytes)).x25519;
    const ann = net.client('ann', { serverKey: other });
    net.join(ann);
    const failed = ann.events.find((e) => e.type === 'join-failed');
    expect(failed).to.deep.include({ code: 'UDPCHAT_ERR_SERVER_KEY_CHANGED' });
    expect((failed as { reason: string }).reason).to.match(/key changed.*--accept-new-key/);
    const bob = net.client('bob', { serverKey: other, acceptNewKey: true });
    net.join(bob);
    expect(bob.core.phase).to.equal('online');
    expect(bob.layer.takeProvenKey()).to.deep.equal(net.server.publicKey);
  });

  it('an expected fingerprint (--server-key) refuses any other key, even a pinned one, and accepts its own over a stale pin', function () {
    const net = new SealedNet();
    const other = serverPublicKeys(generateServerKeys(randomBytes)).x25519;
    const ann = net.client('ann', { serverKey: net.server.publicKey, expectedFingerprint: fingerprint(other) });
    net.join(ann);
    const failed = ann.events.find((e) => e.type === 'join-failed');
    expect(failed).to.deep.include({ code: 'UDPCHAT_ERR_SERVER_KEY_CHANGED' });
    expect((failed as { reason: string }).reason).to.include(`is ${fingerprint(net.server.publicKey)}, not ${fingerprint(other)} as given with --server-key`);
    expect(ann.layer.drops['key-mismatch']).to.equal(1);
    expect(ann.core.phase).to.not.equal('online');
    // Pinned to a stale key, but the user gave the right fingerprint: joins, and the key is reported for pinning.
    const bob = net.client('bob', { serverKey: other, expectedFingerprint: fingerprint(net.server.publicKey) });
    net.join(bob);
    expect(bob.core.phase).to.equal('online');
    expect(bob.layer.takeProvenKey()).to.deep.equal(net.server.publicKey);
  });

  it('trust on first use: the key is reported for pinning only after HANDSHAKE2 proved it', function () {
    const net = new SealedNet();
    const ann = net.client('ann');
    ann.core.join(net.now);
    const d = ann.core.drain();
    for (const b of ann.layer.wrap(d.datagrams, net.now)) net.server.receive(b, ann.address, net.now);
    for (const o of net.server.drain(net.now).datagrams) ann.layer.receive(o.data, net.now);
    expect(ann.layer.takeProvenKey()).to.equal(undefined); // COOKIE came: not proven yet
    net.run();
    expect(ann.layer.takeProvenKey()).to.deep.equal(net.server.publicKey);
    const pinned = net.client('bob', { serverKey: net.server.publicKey });
    net.join(pinned);
    expect(pinned.layer.takeProvenKey()).to.equal(undefined); // already pinned
  });

  it('a wrong passphrase is refused clearly after one round trip; the right one joins', function () {
    const psk = randomBytes(32);
    const net = new SealedNet({ psk });
    const wrong = net.client('ann', { psk: () => randomBytes(32) });
    net.join(wrong);
    const failed = wrong.events.find((e) => e.type === 'join-failed');
    expect(failed).to.deep.include({ code: 'UDPCHAT_ERR_WRONG_PASSPHRASE', reason: 'wrong passphrase' });
    expect(wrong.sent.filter((d) => d[4] === 3)).to.have.length(1); // one HANDSHAKE1, answered by the REFUSAL
    expect(net.core.sessions.size).to.equal(0);
    const none = net.client('bob');
    net.join(none);
    expect(none.events.find((e) => e.type === 'join-failed')).to.deep.include({ code: 'UDPCHAT_ERR_WRONG_PASSPHRASE' });
    const right = net.client('cy', { psk: () => psk });
    net.join(right);
    expect(right.core.phase).to.equal('online');
  });

  it('a member who leaves gets no later room key: the room key rotates, the others keep reading', function () {
    const net = new SealedNet();
    const [ann, bob, cy] = ['ann', 'bob', 'cy'].map((n) => net.client(n)) as [SealedClient, SealedClient, SealedClient];
    for (const c of [ann, bob, cy]) net.join(c);
    cy.core.leave(net.now);
    net.run();
    net.advance(1_000);
    expect(net.server.stats.rotations).to.equal(1);
    ann.core.say('after cy left', net.now);
    net.run();
    expect(SealedNet.texts(bob)).to.deep.equal(['after cy left']);
    const last = bob.received.filter((d) => d[4] === 6).at(-1)!;
    expect(last.readUInt32BE(5)).to.equal(2); // sealed with key id 2, which cy never got
  });
});
