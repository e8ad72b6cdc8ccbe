/**
 * Every sealed datagram within 1200 bytes (docs/protocol.md §2, §5.8 "Sizes"): a sealed server
 * packs its inner datagrams to 1200 less the larger envelope's overhead (1103), under every packing
 * path — fan-out bursts, NACK repair, history on join and in pages, the member list in pages, and
 * the rooms framings. Sans-I/O: the harness throws for any datagram the server sends over 1200
 * bytes; each client's core also records the inner datagrams it was given, to show each path ran
 * with datagrams packed close to the limit.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { OPCODES } from '../../lib/protocol/codec-table.js';
import { MAX_DATAGRAM } from '../../lib/protocol/constants.js';
import { MAX_SEALED_DATAGRAM, MAX_SEALED_INNER, ROOM_ENVELOPE_OVERHEAD, SESSION_ENVELOPE_OVERHEAD } from '../../lib/protocol/seal/envelope.js';
import { generateServerKeys } from '../../lib/protocol/seal/identity.js';
import { ServerSealLayer } from '../../lib/server/seal-layer.js';
import { ServerCore } from '../../lib/server/server-core.js';
import { PRIVATE_PER_USER, roomsPerUserLimit } from '../../lib/server/server-options.js';
import { type SealedClient, SealedNet } from './sealed-net.js';

const TYPE_NAME = new Map(Object.entries(OPCODES).map(([name, code]) => [code, name]));
const KIND_ROOM = 6;

/** A valid 64-byte nickname (21 CJK ideographs and a letter: 22 characters), different for each n. */
function longNick(n: number): string {
  let s = '';
  for (let i = 0; i < 21; i++) s += String.fromCodePoint(0x4e00 + n * 21 + i);
  return `${s}a`;
}

/** Largest inner datagram of each type a client's core was given, recorded from now on. */
function recordInner(c: SealedClient): Map<string, number> {
  const largest = new Map<string, number>();
  const receive = c.core.receive.bind(c.core);
  c.core.receive = (data, now) => {
    const type = TYPE_NAME.get(data[3] as number) ?? String(data[3]);
    largest.set(type, Math.max(largest.get(type) ?? 0, data.length));
    receive(data, now);
  };
  return largest;
}

/** Message texts a client was shown, live or in older pages. */
function shown(c: SealedClient): string[] {
  return c.events.flatMap((e) => (e.type === 'message' ? [e.text] : e.type === 'older' ? e.entries.flatMap((x) => (x.type === 'message' ? [x.text] : [])) : []));
}

/** Texts of lengths that make several entries share a datagram in many ways (200–1000 bytes). */
function texts(count: number, tag: string): string[] {
  const lengths = [1000, 480, 470, 300, 250, 1000, 520, 333, 611, 200];
  return Array.from({ length: count }, (_, i) => `${tag}${i} `.padEnd(lengths[i % lengths.length] as number, 'x'));
}

function largestSent(net: SealedNet): number {
  return Math.max(...net.clients.flatMap((c) => c.received.map((d) => d.length)));
}

describe('sealed datagram sizes (sans-I/O): every datagram within 1200 bytes', function () {
  this.timeout(60_000);

  it('derives the inner limit from the envelopes: 1200 − 97 (ROOM) = 1103, and a sealed layer refuses a core that packs more', function () {
    expect(SESSION_ENVELOPE_OVERHEAD).to.equal(33);
    expect(ROOM_ENVELOPE_OVERHEAD).to.equal(97);
    expect(MAX_SEALED_DATAGRAM).to.equal(MAX_DATAGRAM);
    expect(MAX_SEALED_INNER).to.equal(1103);
    const core = new ServerCore({ random: randomBytes, now: 0 });
    expect(core.options.maxDatagram).to.equal(1200);
    expect(() => new ServerSealLayer(core, { keys: generateServerKeys(randomBytes), random: randomBytes })).to.throw(RangeError, /1103/);
  });

  it('without rooms: DATA bursts, NACK repair, history on join and in pages, and ROSTER pages of many 64-byte nicks', function () {
    const net = new SealedNet({ serverOptions: { rooms: false, historyMessages: 5, rate: 1000, burst: 1000 } });
    const members = Array.from({ length: 40 }, (_, i) => net.client(longNick(i)));
    for (const m of members) net.join(m);
    const lossy = members[1] as SealedClient;
    const late = net.client(longNick(40));
    const sizes = [recordInner(members[0] as SealedClient), recordInner(lossy), recordInner(late)];
    // A burst from four members in one flush, and every other room datagram lost to one member (it NACKs).
    let room = 0;
    net.lose = (to, data) => to === lossy && data[4] === KIND_ROOM && room++ % 2 === 0;
    const said = [0, 2, 3, 4].flatMap((i) => texts(12, `m${i}-`).map((t) => ({ by: members[i] as SealedClient, t })));
    for (const { by, t } of said) by.core.say(t, net.now);
    net.run();
    net.lose = undefined;
    for (let i = 0; i < 30; i++) net.advance(100);
    expect(SealedNet.texts(lossy).filter((t) => t.startsWith('m')).sort()).to.deep.equal(said.map((s) => s.t).sort());
    // A newcomer: history on join, the member list in pages, then older history a page at a time.
    net.join(late);
    for (let i = 0; i < 40; i++) {
      late.core.loadOlder(net.now);
      net.advance(200);
    }
    expect(shown(late).filter((t) => t.startsWith('m')).sort()).to.deep.equal(said.map((x) => x.t).sort());
    const largest = new Map<string, number>();
    for (const s of sizes) for (const [k, v] of s) largest.set(k, Math.max(largest.get(k) ?? 0, v));
    // Each path ran, packed close to (and within) the limit.
    for (const type of ['data', 'roster']) expect(largest.get(type), type).to.be.above(1000).and.at.most(MAX_SEALED_INNER);
    // A PAGE holds at least one entry: a 1000-byte message from a 64-byte nick alone is 1105 bytes (on a session: 1138).
    expect(largest.get('page')).to.be.above(1000).and.at.most(30 + 11 + 64 + 1004);
    expect(net.core.stats.drops['history-missing'] ?? 0).to.equal(0);
    expect(largestSent(net)).to.be.above(1150).and.at.most(1200);
  });

  it('with rooms: RDATA fan-out and repair in a room, RROSTER pages, room 0 in both renderings, a PAGE of the largest entry, and the client\'s largest datagrams', function () {
    const net = new SealedNet({ serverOptions: { historyMessages: 3, rate: 1000, burst: 1000 } });
    const members = Array.from({ length: 20 }, (_, i) => net.client(longNick(100 + i)));
    for (const m of members) net.join(m);
    for (const m of members) m.core.joinRoom('#big', net.now);
    net.run();
    const big = members[0]!.core.streams.all.find((s) => s.name === '#big')?.roomId as number;
    const lossy = members[1] as SealedClient;
    const sizes = [recordInner(members[0] as SealedClient), recordInner(lossy)];
    let n = 0;
    net.lose = (to) => to === lossy && n++ % 3 === 0;
    const said = [0, 2, 3].flatMap((i) => texts(10, `r${i}-`).map((t) => ({ by: members[i] as SealedClient, t })));
    for (const { by, t } of said) by.core.sayIn(big, t, {}, net.now);
    // The largest entry there is: a 1000-byte /me in room 0 from a 64-byte nick (its DATA rendering is `/me ` + text).
    members[2]!.core.sayIn(0, 'y'.repeat(1000), { action: true }, net.now);
    net.run();
    net.lose = undefined;
    for (let i = 0; i < 30; i++) net.advance(100);
    for (const m of members) m.core.who(big, net.now);
    net.run();
    const inBig = (c: SealedClient): string[] => c.events.flatMap((e) => (e.type === 'message' && 'roomId' in e && e.roomId === big ? [e.text] : []));
    expect(inBig(lossy).sort()).to.deep.equal(said.map((s) => s.t).sort());
    // A newcomer pages back through room 0: the /me entry alone makes a 1109-byte PAGE (on its session).
    const late = net.client(longNick(140));
    sizes.push(recordInner(late));
    for (let i = 0; i < 10; i++) members[3]!.core.say(`filler ${i}`, net.now);
    net.run();
    net.join(late);
    for (let i = 0; i < 20; i++) {
      late.core.loadOlder(net.now);
      net.advance(200);
    }
    expect(shown(late).filter((t) => t.includes('yyyy'))).to.have.length(1);
    const largest = new Map<string, number>();
    for (const s of sizes) for (const [k, v] of s) largest.set(k, Math.max(largest.get(k) ?? 0, v));
    for (const type of ['rdata', 'rroster']) expect(largest.get(type), type).to.be.above(1000).and.at.most(MAX_SEALED_INNER);
    // A PAGE holds at least one entry: this one is over 1103 but goes on a session (33 bytes), within 1200.
    expect(largest.get('page')).to.equal(30 + 11 + 64 + 1004);
    // The client's largest datagrams: a private message of 1000 bytes to a 64-byte nick (CMD 1100 bytes), RSAY and SAY.
    const sender = members[4] as SealedClient;
    const before = sender.sent.length;
    sender.core.msg(longNick(105), 'p'.repeat(1000), {}, net.now);
    sender.core.sayIn(big, 'q'.repeat(1000), {}, net.now);
    sender.core.say('s'.repeat(1000), net.now);
    net.run();
    const sent = sender.sent.slice(before).map((d) => d.length);
    expect(Math.max(...sent)).to.equal(36 + 64 + 1000 + 33);
    expect(shown(members[5] as SealedClient)).to.include('p'.repeat(1000));
    expect(net.core.stats.drops['history-missing'] ?? 0).to.equal(0);
    expect(largestSent(net)).to.be.above(1100).and.at.most(1200);
  });
});

describe('sealed datagram sizes (sans-I/O): RSTATE', function () {
  this.timeout(60_000);

  it('names as many streams as fit 1103 bytes (136) for a member of the most rooms (72) and private conversations (64) a sealed server allows', function () {
    const net = new SealedNet({ serverOptions: { maxRoomsPerUser: roomsPerUserLimit(MAX_SEALED_INNER), rate: 1000, burst: 1000 } });
    const ann = net.client('ann');
    net.join(ann);
    const peers = Array.from({ length: PRIVATE_PER_USER }, (_, i) => `p${i}`);
    for (const nick of peers) net.join(net.client(nick));
    for (let i = 0; i < 72; i++) ann.core.joinRoom(`#r${i}`, net.now);
    for (const nick of peers) ann.core.msg(nick, 'hi', {}, net.now);
    for (let i = 0; i < 20; i++) net.advance(100);
    const largest = recordInner(ann);
    for (let i = 0; i < 60; i++) net.advance(100);
    expect(largest.get('rstate')).to.equal(9 + 8 * 136);
  });
});
