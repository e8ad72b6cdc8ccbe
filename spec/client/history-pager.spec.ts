/**
 * Older history in the client core (docs/protocol.md §6.2.11, capability bit 1): the JOIN offers the
 * bit, loadOlder() sends HISTORY only when the server enabled it, one at a time, resent after the
 * RTO; a PAGE becomes an `older` event (oldest first, nothing twice), the room's start a `no-older`
 * event, history beyond retention one notice; forged or unasked PAGEs are drops.
 */
import { expect } from 'chai';
import { ClientCore } from '../../lib/client/client-core.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { decode, encode } from '../../lib/protocol/codec.js';
import { CAP_HISTORY } from '../../lib/protocol/history-codec.js';
import type { ClientMessage, Entry, ServerMessage } from '../../lib/protocol/messages.js';
import { CAP_IDENTITY } from '../../lib/protocol/whois-codec.js';
import { CAP_ROOMS } from '../../lib/protocol/rooms-codec.js';

const T0 = 1_767_225_600_000;
const CLIENT_ID = Buffer.alloc(16, 0xc1);
const TOKEN = Buffer.alloc(16, 0x70);
const INSTANCE = Buffer.alloc(8, 1);

function sent(core: ClientCore): { messages: ClientMessage[]; events: ClientEvent[] } {
  const { datagrams, events } = core.drain();
  return { messages: datagrams.map((d) => decode(d) as ClientMessage), events };
}

const welcome = (caps: number, historyFrom: number, baseSeq: number, instance: Buffer = INSTANCE): ServerMessage => ({
  type: 'welcome',
  clientId: CLIENT_ID,
  token: TOKEN,
  instance,
  historyFrom,
  baseSeq,
  ackedCseq: 0,
  heartbeatMs: 5_000,
  idleTimeoutMs: 30_000,
  maxText: 1000,
  caps,
  nick: 'ann',
});

/** A client online in a room whose history it was replayed from `historyFrom`. */
function online(caps: number, historyFrom = 101, baseSeq = 150): ClientCore {
  const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
  core.join(T0);
  const join = sent(core).messages[0];
  expect(join?.type === 'join' && join.caps, 'JOIN offers rooms, history paging and identity').to.equal(CAP_ROOMS | CAP_HISTORY | CAP_IDENTITY);
  core.receive(encode({ type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }), T0 + 1);
  core.receive(encode(welcome(caps, historyFrom, baseSeq)), T0 + 2);
  sent(core);
  return core;
}

const msg = (seq: number, nick = 'bob'): Entry => ({ kind: 'msg', seq, time: T0 - 1000 + seq, nick, target: 0, text: `m${seq}` });
const page = (before: number, entries: Entry[], flags: { oldest?: boolean; gone?: boolean } = {}, token = TOKEN): Buffer =>
  encode({ type: 'page', token, before, oldest: flags.oldest ?? false, gone: flags.gone ?? false, entries });

describe('history paging in the client core (§6.2.11)', () => {
  it('asks for what is before the oldest entry it has, and gets an older event, oldest first', () => {
    const core = online(CAP_HISTORY | CAP_IDENTITY);
    core.loadOlder(T0 + 10);
    expect(sent(core).messages).to.deep.equal([{ type: 'history', token: TOKEN, before: 101, count: 255 }]);
    expect(core.loadingOlder).to.equal(true);
    core.receive(page(101, [msg(98), { kind: 'join', seq: 99, time: T0, nick: 'cy' }, msg(100, 'ann')]), T0 + 11);
    expect(core.loadingOlder).to.equal(false);
    expect(sent(core).events.filter((e) => e.type === 'older')).to.deep.equal([
      {
        type: 'older',
        entries: [
          { type: 'message', seq: 98, time: T0 - 902, nick: 'bob', text: 'm98', own: false, history: true },
          { type: 'presence', seq: 99, time: T0, nick: 'cy', action: 'join', history: true },
          { type: 'message', seq: 100, time: T0 - 900, nick: 'ann', text: 'm100', own: true, history: true },
        ],
      },
    ]);
    core.loadOlder(T0 + 12);
    core.loadOlder(T0 + 12);
    expect(sent(core).messages, 'one HISTORY at a time, the next before the page').to.deep.equal([{ type: 'history', token: TOKEN, before: 98, count: 255 }]);
  });

  it('says the room starts here when a page reaches seq 1 or nothing is before the history, and asks no more', () => {
    const core = online(CAP_HISTORY, 3, 10);
    core.loadOlder(T0 + 10, 50);
    expect(sent(core).messages).to.deep.equal([{ type: 'history', token: TOKEN, before: 3, count: 50 }]);
    core.receive(page(3, [msg(1), msg(2)], { oldest: true }), T0 + 11);
    const events = sent(core).events;
    expect(events.map((e) => e.type)).to.deep.equal(['older', 'no-older']);
    expect(events[1]).to.deep.equal({ type: 'no-older', why: 'start' });
    core.loadOlder(T0 + 12);
    const again = sent(core);
    expect(again.messages).to.be.empty;
    expect(again.events).to.deep.equal([{ type: 'no-older', why: 'start' }]);
    const fromOne = online(CAP_HISTORY, 1, 10);
    fromOne.loadOlder(T0 + 10);
    expect(sent(fromOne)).to.deep.equal({ messages: [], events: [{ type: 'no-older', why: 'start' }] });
  });

  it('tells once that older history is beyond retention, then only no-older', () => {
    const core = online(CAP_HISTORY);
    core.loadOlder(T0 + 10);
    sent(core);
    core.receive(page(101, [msg(60), msg(61)].concat(Array.from({ length: 39 }, (_, i) => msg(62 + i))), { oldest: true, gone: true }), T0 + 11);
    const events = sent(core).events;
    expect(events.map((e) => e.type)).to.deep.equal(['older', 'notice', 'no-older']);
    expect(events[1]).to.deep.equal({ type: 'notice', text: "older history is beyond the server's retention (59 earlier entries are no longer kept)" });
    expect(events[2]).to.deep.equal({ type: 'no-older', why: 'gone' });
    core.loadOlder(T0 + 12);
    core.loadOlder(T0 + 13);
    const later = sent(core);
    expect(later.messages).to.be.empty;
    expect(later.events, 'no second notice').to.deep.equal([{ type: 'no-older', why: 'gone' }, { type: 'no-older', why: 'gone' }]);
  });

  it('never sends HISTORY to a server that did not enable bit 1, nor before joining', () => {
    const older = online(CAP_IDENTITY);
    older.loadOlder(T0 + 10);
    expect(sent(older)).to.deep.equal({ messages: [], events: [{ type: 'no-older', why: 'unsupported' }] });
    const fresh = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
    fresh.loadOlder(T0);
    expect(sent(fresh).events).to.deep.equal([{ type: 'no-older', why: 'not-joined' }]);
  });

  it('drops a PAGE with another token, another before, or none asked for', () => {
    const core = online(CAP_HISTORY);
    core.receive(page(101, [msg(100)]), T0 + 5);
    core.loadOlder(T0 + 10);
    sent(core);
    core.receive(page(101, [msg(100)], {}, Buffer.alloc(16, 1)), T0 + 11);
    core.receive(page(90, [msg(89)]), T0 + 11);
    expect(core.drops).to.equal(3);
    expect(sent(core).events.filter((e) => e.type === 'older')).to.be.empty;
    expect(core.loadingOlder).to.equal(true);
  });

  it('asks again after the RTO, backing off, until the PAGE comes', () => {
    const core = online(CAP_HISTORY);
    const rto = core.rtt.rto;
    const histories = (): ClientMessage[] => sent(core).messages.filter((m) => m.type === 'history');
    core.loadOlder(T0 + 10);
    sent(core);
    core.tick(T0 + 10 + rto - 1);
    expect(histories()).to.be.empty;
    core.tick(T0 + 10 + rto);
    expect(histories()).to.deep.equal([{ type: 'history', token: TOKEN, before: 101, count: 255 }]);
    core.tick(T0 + 10 + 3 * rto - 1);
    expect(histories(), 'backed off to twice the RTO').to.be.empty;
    core.tick(T0 + 10 + 3 * rto);
    expect(histories()).to.have.length(1);
    core.receive(page(101, [msg(100)]), T0 + 10 + 3 * rto + 1);
    core.tick(T0 + 60_000);
    expect(histories(), 'answered: asked no more').to.be.empty;
  });

  it('starts over with a new instance and keeps its place across a resume', () => {
    const core = online(CAP_HISTORY);
    core.loadOlder(T0 + 10);
    sent(core);
    core.receive(page(101, [msg(99), msg(100)]), T0 + 11);
    // The server restarts with the same room (a resume): paging goes on from 99.
    core.receive(encode({ type: 'bye', token: TOKEN, reason: 'shutdown' }), T0 + 20);
    core.receive(encode({ type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }), T0 + 21);
    core.receive(encode(welcome(CAP_HISTORY, 151, 150)), T0 + 22);
    sent(core);
    core.loadOlder(T0 + 30);
    expect(sent(core).messages.filter((m) => m.type === 'history').map((m) => m.type === 'history' && m.before)).to.deep.equal([99]);
    // A new room: paging starts from its history.
    core.receive(encode({ type: 'bye', token: TOKEN, reason: 'shutdown' }), T0 + 40);
    core.receive(encode({ type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }), T0 + 41);
    core.receive(encode(welcome(CAP_HISTORY, 5, 9, Buffer.alloc(8, 2))), T0 + 42);
    sent(core);
    core.loadOlder(T0 + 50);
    expect(sent(core).messages.filter((m) => m.type === 'history').map((m) => m.type === 'history' && m.before)).to.deep.equal([5]);
  });

  it('asks an unanswered HISTORY again with the new token after a resume, and ends it after a new instance', () => {
    const core = online(CAP_HISTORY);
    core.loadOlder(T0 + 10);
    sent(core);
    const rejoin = (token: Buffer, instance: Buffer, at: number): void => {
      core.receive(encode({ type: 'bye', token: TOKEN, reason: 'shutdown' }), at);
      core.receive(encode({ type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }), at + 1);
      core.receive(encode({ ...(welcome(CAP_HISTORY, 151, 150, instance) as Extract<ServerMessage, { type: 'welcome' }>), token }), at + 2);
    };
    const fresh = Buffer.alloc(16, 0x71);
    rejoin(fresh, INSTANCE, T0 + 20);
    sent(core);
    core.tick(T0 + 23);
    expect(sent(core).messages.filter((m) => m.type === 'history'), 'resent at once, new token').to.deep.equal([{ type: 'history', token: fresh, before: 101, count: 255 }]);
    expect(core.loadingOlder).to.equal(true);
    const other = online(CAP_HISTORY);
    other.loadOlder(T0 + 10);
    sent(other);
    other.receive(encode({ type: 'bye', token: TOKEN, reason: 'shutdown' }), T0 + 20);
    other.receive(encode({ type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }), T0 + 21);
    other.receive(encode(welcome(CAP_HISTORY, 5, 9, Buffer.alloc(8, 2))), T0 + 22);
    expect(sent(other).events.filter((e) => e.type === 'no-older'), 'a new room: the old request ends').to.deep.equal([{ type: 'no-older', why: 'not-joined' }]);
    expect(other.loadingOlder).to.equal(false);
  });
});
