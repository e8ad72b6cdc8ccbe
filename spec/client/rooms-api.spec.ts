/**
 * The rooms API before the server speaks rooms: a client whose server did not echo the rooms
 * capability refuses every rooms command locally (nothing sent, nothing typed lost), says in
 * room 0 as before, and keeps room 0 in its stream list.
 */
import { expect } from 'chai';
import { ClientCore } from '../../lib/client/client-core.js';
import { LOBBY_ID, LOBBY_NAME, looksLikeRoomName } from '../../lib/client/rooms-api.js';
import { StreamDirectory } from '../../lib/client/streams.js';
import { decode, encode } from '../../lib/protocol/codec.js';

const T0 = 1_700_000_000_000;
const CLIENT_ID = Buffer.alloc(16, 0xc1);

function revision1Online(): ClientCore {
  const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
  core.join(T0);
  core.receive(encode({ type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }), T0 + 1);
  core.receive(encode({
    type: 'welcome', clientId: CLIENT_ID, token: Buffer.alloc(16, 7), instance: Buffer.alloc(8, 1), historyFrom: 1, baseSeq: 0, ackedCseq: 0,
    heartbeatMs: 5_000, idleTimeoutMs: 30_000, maxText: 1000, caps: 0, nick: 'ann',
  }), T0 + 2);
  core.drain();
  return core;
}

describe('rooms API', () => {
  it('before the first WELCOME: commands are refused as "not joined yet", roomsSupported unknown', () => {
    const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
    expect(core.roomsSupported).to.equal(undefined);
    core.joinRoom('#ops', T0);
    const { roomEvents, events, datagrams } = core.drain();
    expect(datagrams).to.be.empty;
    expect(events).to.be.empty;
    expect(roomEvents).to.deep.equal([{ type: 'command-refused', op: 'join', target: '#ops', text: '', code: 'UDPCHAT_ERR_UNSUPPORTED', reason: 'not joined yet' }]);
  });

  it('a server without rooms: every command is refused locally with what was typed, nothing is sent', () => {
    const core = revision1Online();
    expect(core.roomsSupported).to.equal(false);
    core.msg('bob', 'psst', {}, T0 + 3);
    core.topic(LOBBY_ID, 'lunch', T0 + 3);
    core.part(9, 'bye', T0 + 3);
    core.changeNick('anna', T0 + 3);
    core.away('afk', T0 + 3);
    core.back(T0 + 3);
    core.listRooms(T0 + 3);
    core.who(LOBBY_ID, T0 + 3);
    core.sayIn(LOBBY_ID, 'waves', { action: true }, T0 + 3);
    const { roomEvents, datagrams, ordered } = core.drain();
    expect(datagrams).to.be.empty;
    expect(ordered).to.have.length(9);
    expect(roomEvents.map((e) => e.type === 'command-refused' && [e.op, e.target, e.text])).to.deep.equal([
      ['msg', 'bob', 'psst'], ['topic', LOBBY_NAME, 'lunch'], ['part', '9', 'bye'], ['nick', 'anna', ''], ['away', '', 'afk'],
      ['back', '', ''], ['rooms', '', ''], ['who', LOBBY_NAME, ''], ['say', LOBBY_NAME, 'waves'],
    ]);
    expect(roomEvents.every((e) => e.type === 'command-refused' && e.code === 'UDPCHAT_ERR_UNSUPPORTED' && /no rooms/.test(e.reason))).to.equal(true);
  });

  it('sayIn(room 0) without options is a revision-1 SAY', () => {
    const core = revision1Online();
    core.sayIn(LOBBY_ID, 'hi', {}, T0 + 3);
    const sent = core.drain().datagrams.map((d) => decode(d));
    expect(sent).to.have.length(1);
    expect(sent[0]).to.include({ type: 'say', target: 0, text: 'hi', cseq: 1 });
  });

  it('throws after leave(), as say() does', () => {
    const core = revision1Online();
    core.leave(T0 + 3);
    expect(() => core.joinRoom('#ops', T0 + 4)).to.throw(/session is over/);
  });

  it('StreamDirectory keeps room 0, finds private conversations case-insensitively, sorts members', () => {
    const d = new StreamDirectory();
    expect(d.all.map((s) => s.name)).to.deep.equal([LOBBY_NAME]);
    expect(d.set({ roomId: 4, kind: 'private', name: 'Bob', topic: '' })).to.equal(true);
    expect(d.set({ roomId: 4, kind: 'private', name: 'Bob', topic: '', away: 'lunch' })).to.equal(false);
    expect(d.privateWith('bob')?.roomId).to.equal(4);
    expect(d.privateWith('carol')).to.equal(undefined);
    expect(d.setMembers(4, [{ nick: 'zed', away: false }, { nick: 'Ann', away: true }]).map((m) => m.nick)).to.deep.equal(['Ann', 'zed']);
    expect(d.remove(LOBBY_ID)).to.equal(undefined);
    expect(d.reset().map((s) => s.roomId)).to.deep.equal([4]);
    expect(d.members(4)).to.deep.equal([]);
    expect(d.all).to.have.length(1);
  });

  it('looksLikeRoomName', () => {
    expect(looksLikeRoomName('#ops')).to.equal(true);
    expect(looksLikeRoomName('#')).to.equal(false);
    expect(looksLikeRoomName('ops')).to.equal(false);
    expect(looksLikeRoomName('#a b')).to.equal(false);
  });
});
