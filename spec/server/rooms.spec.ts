/**
 * Rooms and private messages in the server core (docs/protocol.md §6.3): every command and every
 * refusal, room 0's two renderings, and that a session without the capability is never sent
 * anything it cannot decode. Sans-I/O: datagrams in, datagrams out, no clock but the one given.
 */
import { expect } from 'chai';
import { decode, encode } from '../../lib/protocol/codec.js';
import type { CmdMessage, CommandName, Message, RoomEntry, WelcomeMessage } from '../../lib/protocol/messages.js';
import { CAP_ROOMS } from '../../lib/protocol/rooms-codec.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { ServerCore } from '../../lib/server/server-core.js';
import { PRIVATE_PER_USER, type ServerOptions } from '../../lib/server/server-options.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;
/** What a session without the rooms capability may ever be sent (§3 before rooms). */
const V1_TYPES = new Set(['cookie', 'welcome', 'data', 'ack', 'sync', 'pong', 'roster', 'bye', 'error', 'owner']);

interface Client {
  nick: string;
  address: PeerAddress;
  token: Buffer;
  welcome: WelcomeMessage;
  cseq: number;
  /** Everything this address was sent, decoded, in order. */
  inbox: Message[];
}

class Rig {
  readonly server: ServerCore;
  readonly clients: Client[] = [];
  now = T0;
  private port = 5000;

  /** Records handed out so far (persistent mode): `commit()` reports them all durable. */
  private records = 0;

  constructor(options: Partial<ServerOptions> & { persistent?: boolean } = {}) {
    this.server = new ServerCore({ ...options, random: seededBytes(11), now: T0 });
  }

  /** Persistent mode: the store reports every record so far durable. */
  commit(): void {
    this.server.durable(this.records, this.now);
    this.pump();
  }

  /** Joins through the cookie round trip (caps 1: rooms; 0: a revision-1 client). */
  join(nick: string, caps = CAP_ROOMS, clientId = Buffer.alloc(16, this.port % 256)): Client {
    const address = { address: '192.0.2.1', port: ++this.port };
    const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps, nick };
    this.server.receive(encode(hello), address, this.now);
    const cookie = this.server.drain().datagrams.map((d) => decode(d.data)).find((m) => m.type === 'cookie');
    if (cookie?.type !== 'cookie') throw new Error('no cookie');
    const c: Client = { nick, address, token: Buffer.alloc(16), welcome: undefined as unknown as WelcomeMessage, cseq: 0, inbox: [] };
    this.clients.push(c);
    this.server.receive(encode({ ...hello, cookie: cookie.cookie }), address, this.now);
    this.pump();
    const welcome = c.inbox.find((m) => m.type === 'welcome');
    if (welcome?.type !== 'welcome') throw new Error(`no welcome for ${nick}`);
    c.welcome = welcome;
    c.token = welcome.token;
    return c;
  }

  /** Flushes and hands every queued datagram to the client at its address. */
  pump(): void {
    this.server.flush(this.now);
    const drained = this.server.drain();
    this.records += drained.records.length;
    for (const d of drained.datagrams) {
      const to = Array.isArray(d.to) ? (d.to as PeerAddress[]) : [d.to as PeerAddress];
      for (const a of to) {
        const c = this.clients.find((x) => x.address.port === a.port);
        c?.inbox.push(decode(d.data));
      }
    }
  }

  cmd(c: Client, op: CommandName, fields: Partial<Pick<CmdMessage, 'roomId' | 'name' | 'text'>> = {}): number {
    const cseq = ++c.cseq;
    this.server.receive(encode({ type: 'cmd', token: c.token, cseq, op, roomId: 0, name: '', text: '', ...fields }), c.address, this.now);
    this.pump();
    return cseq;
  }

  rsay(c: Client, roomId: number, text: string, action = false): number {
    const cseq = ++c.cseq;
    this.server.receive(encode({ type: 'rsay', token: c.token, cseq, roomId, action, text }), c.address, this.now);
    this.pump();
    return cseq;
  }

  say(c: Client, text: string): number {
    const cseq = ++c.cseq;
    this.server.receive(encode({ type: 'say', token: c.token, cseq, target: 0, text }), c.address, this.now);
    this.pump();
    return cseq;
  }

  send(c: Client, m: Message): void {
    this.server.receive(encode(m), c.address, this.now);
    this.pump();
  }

  /** Takes what a client was sent since the last take. */
  take(c: Client): Message[] {
    const got = c.inbox;
    c.inbox = [];
    return got;
  }

  /** Joins a room and returns its roomId. */
  joinRoom(c: Client, name: string): number {
    this.cmd(c, 'join-room', { name });
    const info = this.take(c).find((m) => m.type === 'roominfo' && m.kind === 'room');
    if (info?.type !== 'roominfo') throw new Error(`${c.nick} got no ROOMINFO for ${name}`);
    return info.roomId;
  }
}

/** The entries of the RDATA of one stream (and of DATA if `roomId` is 0 and `data` is set). */
function entries(got: Message[], roomId: number): RoomEntry[] {
  return got.flatMap((m) => (m.type === 'rdata' && m.roomId === roomId ? m.entries : roomId === 0 && m.type === 'data' ? m.entries : []));
}

function errors(got: Message[]): Array<{ code: string; arg: number }> {
  return got.flatMap((m) => (m.type === 'error' ? [{ code: m.code, arg: m.arg }] : []));
}

function acked(got: Message[]): number {
  return Math.max(0, ...got.flatMap((m) => (m.type === 'ack' ? [m.cseq] : [])));
}

/** Checks that a revision-1 client was only ever sent what it decodes: v1 types, entry kinds 1–3. */
function onlyV1(got: Message[]): void {
  for (const m of got) {
    expect(V1_TYPES.has(m.type), `a revision-1 client was sent ${m.type}`).to.equal(true);
    if (m.type === 'data') for (const e of m.entries) expect(['msg', 'join', 'leave']).to.include(e.kind);
  }
}

describe('Rooms in the server core (§6.3)', () => {
  it('enables capability bit 0 for a client that offers it, never for one that does not, nor when the server has rooms off', () => {
    const rig = new Rig();
    expect(rig.join('ann').welcome.caps & CAP_ROOMS).to.equal(CAP_ROOMS);
    expect(rig.join('bob', 0).welcome.caps & CAP_ROOMS).to.equal(0);
    expect(new Rig({ rooms: false }).join('cy').welcome.caps & CAP_ROOMS).to.equal(0);
  });

  it('sends a session with rooms room 0\'s member list as RROSTER with away flags, a revision-1 one as ROSTER', () => {
    const rig = new Rig();
    const old = rig.join('old', 0);
    const ann = rig.join('ann');
    expect(ann.welcome.caps).to.equal(CAP_ROOMS);
    const roster = rig.take(ann).find((m) => m.type === 'rroster');
    expect(roster).to.deep.include({ type: 'rroster', roomId: 0, page: 0, pages: 1 });
    expect(roster?.type === 'rroster' && roster.members.map((m) => m.nick)).to.deep.equal(['ann', 'old']);
    expect(rig.take(old).some((m) => m.type === 'roster')).to.equal(true);
  });

  it('drops RSAY, CMD, RNACK and RWHO from a session without the capability (counted)', () => {
    const rig = new Rig();
    const old = rig.join('old', 0);
    rig.take(old);
    rig.send(old, { type: 'cmd', token: old.token, cseq: 1, op: 'join-room', roomId: 0, name: '#ops', text: '' });
    rig.send(old, { type: 'rsay', token: old.token, cseq: 1, roomId: 0, action: true, text: 'x' });
    rig.send(old, { type: 'rnack', token: old.token, roomId: 0, from: 1, to: 1 });
    rig.send(old, { type: 'rwho', token: old.token, roomId: 0, page: 0 });
    expect(rig.server.stats.drops['no-rooms']).to.equal(4);
    expect(rig.take(old)).to.deep.equal([]);
  });

  describe('join-room', () => {
    it('creates the room: ROOMINFO, an empty history, its own join entry, the member list', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      rig.take(ann);
      const cseq = rig.cmd(ann, 'join-room', { name: '#Ops' });
      const got = rig.take(ann);
      const info = got.find((m) => m.type === 'roominfo');
      expect(info).to.deep.include({ kind: 'room', name: '#Ops', lastSeq: 0, historyFrom: 1, members: 1, topic: '' });
      const roomId = info?.type === 'roominfo' ? info.roomId : -1;
      expect(roomId).to.be.above(0);
      expect(entries(got, roomId)).to.deep.equal([{ kind: 'join', seq: 1, time: T0, nick: 'ann' }]);
      expect(got.find((m) => m.type === 'rroster')).to.deep.include({ roomId, asOfSeq: 1, members: [{ nick: 'ann', away: false }] });
      expect(acked(got)).to.equal(cseq);
      expect(errors(got)).to.deep.equal([]);
    });

    it('finds the room by its name key (#ops, #OPS, #0ps), replays its history to a newcomer and announces the join to every member', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      rig.rsay(ann, ops, 'first');
      rig.take(ann);
      rig.cmd(bob, 'join-room', { name: '#OPS' });
      const got = rig.take(bob);
      expect(got.find((m) => m.type === 'roominfo')).to.deep.include({ roomId: ops, name: '#ops', lastSeq: 2, historyFrom: 2, members: 2 });
      // History is the last messages (§6.1.9): from ann's message on.
      expect(entries(got, ops).map((e) => [e.seq, e.kind, e.nick])).to.deep.equal([
        [2, 'msg', 'ann'],
        [3, 'join', 'bob'],
      ]);
      expect(entries(rig.take(ann), ops).map((e) => [e.seq, e.kind, e.nick])).to.deep.equal([[3, 'join', 'bob']]);
    });

    it('finds the room by either key (§5.3): #общий is #ОБЩИЙ and #νεα is #ΝΕΑ, where nickKey alone keys them apart', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const general = rig.joinRoom(ann, '#ОБЩИЙ');
      const nea = rig.joinRoom(ann, '#ΝΕΑ');
      rig.take(bob);
      rig.cmd(bob, 'join-room', { name: '#общий' });
      expect(rig.take(bob).find((m) => m.type === 'roominfo')).to.deep.include({ roomId: general, name: '#ОБЩИЙ', members: 2 });
      rig.cmd(bob, 'join-room', { name: '#νεα' });
      expect(rig.take(bob).find((m) => m.type === 'roominfo')).to.deep.include({ roomId: nea, name: '#ΝΕΑ', members: 2 });
      // Once both have left, the name is free for a new room under either spelling.
      for (const c of [ann, bob]) rig.cmd(c, 'part', { roomId: general });
      expect(rig.joinRoom(bob, '#общий')).to.not.equal(general);
    });

    it('answers a join of a room it is in, or of #lobby, with its ROOMINFO and appends nothing', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const ops = rig.joinRoom(ann, '#ops');
      rig.cmd(ann, 'join-room', { name: '#ops' });
      const again = rig.take(ann);
      expect(again.find((m) => m.type === 'roominfo')).to.deep.include({ roomId: ops, kind: 'room', historyFrom: 1, lastSeq: 1 });
      expect(entries(again, ops)).to.deep.equal([]);
      rig.cmd(ann, 'join-room', { name: '#Lobby' });
      expect(rig.take(ann).find((m) => m.type === 'roominfo')).to.deep.include({ roomId: 0, name: '#lobby' });
    });

    it('takes a client back into the stream it was in (join-room naming its roomId): nothing replayed, nothing declared lost', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      rig.joinRoom(bob, '#ops');
      for (let i = 0; i < 5; i++) rig.rsay(ann, ops, `m${i}`);
      rig.send(bob, { type: 'leave', token: bob.token });
      const back = rig.join('bob', CAP_ROOMS, Buffer.alloc(16, 77));
      rig.take(back);
      rig.cmd(back, 'join-room', { name: '#ops', roomId: ops });
      const got = rig.take(back);
      expect(got.find((m) => m.type === 'roominfo')).to.deep.include({ roomId: ops, historyFrom: 1 });
      expect(entries(got, ops).map((e) => e.kind)).to.deep.equal(['join']);
    });

    it('gives a room\'s history on credit once per session: joining again after a part draws on the repair budget', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      for (let i = 0; i < 20; i++) rig.rsay(ann, ops, `message number ${i}`);
      const budget = (): number => rig.server.sessions.byAddress(bob.address)?.repair.bytes ?? -1;
      const before = budget();
      rig.joinRoom(bob, '#ops');
      // (The budget also grows by what is fanned out meanwhile: bob's own join entry.)
      expect(budget(), 'the first join costs nothing').to.be.at.least(before);
      rig.cmd(bob, 'part', { roomId: ops });
      rig.take(bob);
      const between = budget();
      rig.cmd(bob, 'join-room', { name: '#ops' });
      const replayed = rig.take(bob).filter((m) => m.type === 'rdata').reduce((n, m) => n + encode(m).length, 0);
      expect(replayed).to.be.above(0);
      expect(between - budget(), 'the second is paid for').to.be.at.least(replayed - 100);
    });

    it('refuses a name that is not # + a valid nickname with ROOM_NAME_INVALID (and still acknowledges it)', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      for (const name of ['ops', '#', '#a b', '#x:y', `#${'z'.repeat(30)}`]) {
        const cseq = rig.cmd(ann, 'join-room', { name });
        const got = rig.take(ann);
        expect(errors(got), name).to.deep.equal([{ code: 'UDPCHAT_ERR_ROOM_NAME_INVALID', arg: cseq }]);
        expect(acked(got)).to.equal(cseq);
      }
    });

    it('refuses past the rooms a session may be in and past the rooms the server may have (ROOM_LIMIT)', () => {
      const rig = new Rig({ maxRooms: 3, maxRoomsPerUser: 2 });
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      rig.joinRoom(ann, '#a');
      rig.joinRoom(ann, '#b');
      const cseq = rig.cmd(ann, 'join-room', { name: '#c' });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_ROOM_LIMIT', arg: cseq }]);
      rig.joinRoom(bob, '#c');
      const full = rig.cmd(bob, 'join-room', { name: '#d' });
      expect(errors(rig.take(bob))).to.deep.equal([{ code: 'UDPCHAT_ERR_ROOM_LIMIT', arg: full }]);
      // An existing room is still open to bob.
      rig.joinRoom(bob, '#a');
    });
  });

  describe('RSAY', () => {
    it('fans a message out to the room\'s members only, as RDATA, the same bytes to each', () => {
      const rig = new Rig();
      const [ann, bob, cy] = [rig.join('ann'), rig.join('bob'), rig.join('cy')];
      const old = rig.join('old', 0);
      const ops = rig.joinRoom(ann, '#ops');
      rig.joinRoom(bob, '#ops');
      for (const c of [ann, bob, cy, old]) rig.take(c);
      rig.rsay(bob, ops, 'hello ops');
      const [a, b] = [rig.take(ann), rig.take(bob)];
      expect(entries(a, ops)).to.deep.equal([{ kind: 'msg', seq: 3, time: T0, nick: 'bob', target: 0, text: 'hello ops' }]);
      expect(entries(b, ops)).to.deep.equal(entries(a, ops));
      expect(rig.take(cy).filter((m) => m.type === 'rdata')).to.deep.equal([]);
      onlyV1(rig.take(old));
    });

    it('refuses a stream the session is not in (NO_SUCH_ROOM), empty text (TEXT_INVALID), and text over maxText (TEXT_TOO_LONG)', () => {
      const rig = new Rig({ maxText: 100 });
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      const cases: Array<[number, string, string]> = [
        [ops + 7, 'x', 'UDPCHAT_ERR_NO_SUCH_ROOM'],
        [ops, '', 'UDPCHAT_ERR_TEXT_INVALID'],
        [ops, 'y'.repeat(101), 'UDPCHAT_ERR_TEXT_TOO_LONG'],
      ];
      for (const [roomId, text, code] of cases) {
        const cseq = rig.rsay(ann, roomId, text);
        expect(errors(rig.take(ann)), code).to.deep.equal([{ code, arg: cseq }]);
      }
      const notMember = rig.rsay(bob, ops, 'let me in');
      expect(errors(rig.take(bob))).to.deep.equal([{ code: 'UDPCHAT_ERR_NO_SUCH_ROOM', arg: notMember }]);
    });

    it('renders /me in room 0 as an action entry to sessions with rooms and as a msg "/me …" to the others', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const old = rig.join('old', 0);
      rig.take(ann);
      rig.take(old);
      rig.rsay(ann, 0, 'waves', true);
      const seq = rig.server.log.lastSeq;
      expect(entries(rig.take(ann), 0)).to.deep.equal([{ kind: 'action', seq, time: T0, nick: 'ann', text: 'waves' }]);
      const v1 = rig.take(old);
      onlyV1(v1);
      expect(entries(v1, 0)).to.deep.equal([{ kind: 'msg', seq, time: T0, nick: 'ann', target: 0, text: '/me waves' }]);
    });

    it('takes a plain RSAY to room 0 as a SAY: one DATA, the same bytes to every member', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const old = rig.join('old', 0);
      rig.take(ann);
      rig.take(old);
      rig.rsay(ann, 0, 'hi all');
      const d = rig.server.drain();
      expect(d.datagrams).to.deep.equal([]);
      expect(entries(rig.take(old), 0).map((e) => e.kind)).to.deep.equal(['msg']);
      expect(rig.take(ann).filter((m) => m.type === 'data')).to.have.length(1);
    });

    it('shares one flood limit across SAY, RSAY and CMD (§6.3.1): past the burst, messages wait', () => {
      const rig = new Rig({ rate: 1, burst: 3 });
      const ann = rig.join('ann');
      const ops = rig.joinRoom(ann, '#ops');
      rig.take(ann);
      rig.say(ann, 'a');
      rig.rsay(ann, ops, 'b');
      const third = rig.rsay(ann, ops, 'c');
      expect(acked(rig.take(ann))).to.equal(third - 1);
      rig.now += 1_000;
      rig.server.tick(rig.now);
      rig.pump();
      expect(acked(rig.take(ann))).to.equal(third);
    });
  });

  describe('part', () => {
    it('answers ROOMINFO gone, announces the part to the others, and forgets a room nobody is in', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      rig.joinRoom(bob, '#ops');
      rig.take(ann);
      rig.cmd(bob, 'part', { roomId: ops, text: 'lunch' });
      expect(rig.take(bob).find((m) => m.type === 'roominfo')).to.deep.include({ roomId: ops, kind: 'gone' });
      expect(entries(rig.take(ann), ops).map((e) => e.kind === 'part' && [e.nick, e.text])).to.deep.equal([['bob', 'lunch']]);
      rig.cmd(ann, 'part', { roomId: ops });
      rig.cmd(ann, 'rooms');
      const listing = rig.take(ann).filter((m) => m.type === 'roominfo' && m.kind === 'listing');
      expect(listing.map((m) => m.type === 'roominfo' && m.name)).to.deep.equal(['#lobby']);
      // A new #ops is another stream.
      expect(rig.joinRoom(bob, '#ops')).to.not.equal(ops);
    });

    it('refuses #lobby (UNSUPPORTED) and a stream the session is not in (NO_SUCH_ROOM)', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const lobby = rig.cmd(ann, 'part', { roomId: 0 });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_UNSUPPORTED', arg: lobby }]);
      const none = rig.cmd(ann, 'part', { roomId: 42 });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_NO_SUCH_ROOM', arg: none }]);
    });
  });

  describe('topic and rooms', () => {
    it('sets a room\'s topic (a topic entry; in the listing and the next ROOMINFO) and refuses one over 300 bytes', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      rig.cmd(ann, 'topic', { roomId: ops, text: 'deploy at 5' });
      expect(entries(rig.take(ann), ops).map((e) => e.kind === 'topic' && e.text)).to.deep.equal(['deploy at 5']);
      const long = rig.cmd(ann, 'topic', { roomId: ops, text: 'x'.repeat(301) });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_TEXT_TOO_LONG', arg: long }]);
      const notIn = rig.cmd(bob, 'topic', { roomId: ops, text: 'mine' });
      expect(errors(rig.take(bob))).to.deep.equal([{ code: 'UDPCHAT_ERR_NO_SUCH_ROOM', arg: notIn }]);
      rig.cmd(bob, 'join-room', { name: '#ops' });
      expect(rig.take(bob).find((m) => m.type === 'roominfo')).to.deep.include({ topic: 'deploy at 5' });
    });

    it('renders room 0\'s topic as a msg "/topic …" to revision-1 sessions', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const old = rig.join('old', 0);
      rig.take(old);
      rig.cmd(ann, 'topic', { roomId: 0, text: 'welcome' });
      const v1 = rig.take(old);
      onlyV1(v1);
      expect(entries(v1, 0).map((e) => e.kind === 'msg' && e.text)).to.deep.equal(['/topic welcome']);
    });

    it('lists every room, #lobby first, then by name, with member counts and topics, index and total', () => {
      const rig = new Rig();
      const [ann, bob] = [rig.join('ann'), rig.join('bob')];
      const zed = rig.joinRoom(ann, '#zed');
      rig.joinRoom(bob, '#zed');
      rig.joinRoom(bob, '#abc');
      rig.cmd(ann, 'topic', { roomId: zed, text: 'last' });
      rig.take(ann);
      rig.cmd(ann, 'rooms');
      const lines = rig.take(ann).flatMap((m) => (m.type === 'roominfo' ? [[m.name, m.members, m.topic, m.index, m.total]] : []));
      expect(lines).to.deep.equal([
        ['#lobby', 2, '', 0, 3],
        ['#abc', 1, '', 1, 3],
        ['#zed', 2, 'last', 2, 3],
      ]);
    });
  });

  describe('private messages', () => {
    it('opens a private stream for the pair: ROOMINFO to each naming the other, the message to both', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const cy = rig.join('cy');
      for (const c of [ann, bob, cy]) rig.take(c);
      rig.cmd(ann, 'msg', { name: 'BOB', text: 'lunch?' });
      const [a, b] = [rig.take(ann), rig.take(bob)];
      const ia = a.find((m) => m.type === 'roominfo');
      const ib = b.find((m) => m.type === 'roominfo');
      expect(ia).to.deep.include({ kind: 'private', name: 'bob' });
      expect(ib).to.deep.include({ kind: 'private', name: 'ann' });
      const id = ia?.type === 'roominfo' ? ia.roomId : -1;
      expect(ib?.type === 'roominfo' && ib.roomId).to.equal(id);
      expect(entries(a, id)).to.deep.equal([{ kind: 'msg', seq: 1, time: T0, nick: 'ann', target: 0, text: 'lunch?' }]);
      expect(entries(b, id)).to.deep.equal(entries(a, id));
      expect(rig.take(cy).filter((m) => m.type === 'rdata' || m.type === 'roominfo')).to.deep.equal([]);
      // The answer, either way and as RSAY, goes into the same stream.
      rig.cmd(bob, 'msg-action', { name: 'ann', text: 'nods' });
      rig.rsay(bob, id, 'yes');
      expect(entries(rig.take(ann), id).map((e) => [e.seq, e.kind])).to.deep.equal([
        [2, 'action'],
        [3, 'msg'],
      ]);
    });

    it('finds the other side by either key (§5.3): a message to борис reaches Борис; a rename to ΒΕΗΜ is refused while βεημ is online', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const boris = rig.join('Борис');
      rig.join('βεημ');
      for (const c of rig.clients) rig.take(c);
      rig.cmd(ann, 'msg', { name: 'борис', text: 'привет' });
      expect(rig.take(ann).find((m) => m.type === 'roominfo')).to.deep.include({ kind: 'private', name: 'Борис' });
      expect(rig.take(boris).find((m) => m.type === 'roominfo')).to.deep.include({ kind: 'private', name: 'ann' });
      const taken = rig.cmd(ann, 'nick', { name: 'ΒΕΗΜ' });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_NICK_TAKEN', arg: taken }]);
      rig.cmd(boris, 'nick', { name: 'БОРИС' });
      expect(entries(rig.take(boris), 0).map((e) => e.kind === 'rename' && e.to)).to.include('БОРИС');
    });

    it('refuses someone offline (NOT_ONLINE), yourself and a revision-1 client (UNSUPPORTED), and empty text (TEXT_INVALID)', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      rig.join('old', 0);
      const cases: Array<[string, string, string]> = [
        ['nobody', 'hi', 'UDPCHAT_ERR_NOT_ONLINE'],
        ['bad name', 'hi', 'UDPCHAT_ERR_NOT_ONLINE'],
        ['ann', 'hi', 'UDPCHAT_ERR_UNSUPPORTED'],
        ['old', 'hi', 'UDPCHAT_ERR_UNSUPPORTED'],
      ];
      rig.take(ann);
      for (const [name, text, code] of cases) {
        const cseq = rig.cmd(ann, 'msg', { name, text });
        expect(errors(rig.take(ann)), name).to.deep.equal([{ code, arg: cseq }]);
      }
      rig.join('bob');
      const empty = rig.cmd(ann, 'msg', { name: 'bob', text: '' });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_TEXT_INVALID', arg: empty }]);
    });

    it('refuses a conversation past PRIVATE_PER_USER for either side (ROOM_LIMIT, keeping nothing of it); the open ones go on', () => {
      const rig = new Rig({ sessionsPerIp: 100, rate: 1000, burst: 1000 });
      const ann = rig.join('ann');
      // 20 COOKIE replies a second to one IP (source-limits.ts): one join every 100 ms.
      const peers = Array.from({ length: PRIVATE_PER_USER + 1 }, (_, i) => {
        rig.now += 100;
        return rig.join(`p${i}`);
      });
      for (let i = 0; i < PRIVATE_PER_USER; i++) rig.cmd(ann, 'msg', { name: `p${i}`, text: 'hi' });
      rig.take(ann);
      const refusal = (got: Message[]): string[] => got.flatMap((m) => (m.type === 'error' ? [`${m.code}: ${m.detail}`] : []));
      rig.cmd(ann, 'msg', { name: `p${PRIVATE_PER_USER}`, text: 'one too many' });
      expect(refusal(rig.take(ann))).to.deep.equal([`UDPCHAT_ERR_ROOM_LIMIT: you are in ${PRIVATE_PER_USER} private conversations, the most this server allows`]);
      const last = peers[PRIVATE_PER_USER] as Client;
      rig.take(last);
      rig.cmd(last, 'msg', { name: 'ann', text: 'hello?' });
      const got = rig.take(last);
      expect(refusal(got)).to.deep.equal([`UDPCHAT_ERR_ROOM_LIMIT: ann is in ${PRIVATE_PER_USER} private conversations, the most this server allows`]);
      expect(got.filter((m) => m.type === 'roominfo')).to.deep.equal([]);
      rig.take(peers[0] as Client);
      rig.cmd(ann, 'msg', { name: 'p0', text: 'still here' });
      const toP0 = rig.take(peers[0] as Client).flatMap((m) => (m.type === 'rdata' ? m.entries : []));
      expect(toP0.map((e) => ('text' in e ? e.text : ''))).to.deep.equal(['still here']);
    });

    it('never amplifies: one request, at most one entry datagram to each of the two', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      rig.cmd(ann, 'msg', { name: 'bob', text: 'first' });
      rig.take(ann);
      rig.take(bob);
      rig.cmd(ann, 'msg', { name: 'bob', text: 'second' });
      expect(rig.take(ann).map((m) => m.type)).to.deep.equal(['rdata', 'ack']);
      expect(rig.take(bob).map((m) => m.type)).to.deep.equal(['rdata']);
    });
  });

  describe('nick', () => {
    it('renames live: room 0 gets leave+join for revision-1 sessions and rename+echo for the others, every other stream one rename', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const old = rig.join('old', 0);
      const ops = rig.joinRoom(ann, '#ops');
      rig.joinRoom(bob, '#ops');
      for (const c of [ann, bob, old]) rig.take(c);
      rig.cmd(ann, 'nick', { name: 'anna' });
      const n = rig.server.log.lastSeq;
      const v1 = rig.take(old);
      onlyV1(v1);
      expect(entries(v1, 0).map((e) => [e.seq, e.kind, e.nick])).to.deep.equal([
        [n - 1, 'leave', 'ann'],
        [n, 'join', 'anna'],
      ]);
      const b = rig.take(bob);
      expect(entries(b, 0).map((e) => e.kind === 'rename' && [e.seq, e.nick, e.to, e.echo])).to.deep.equal([
        [n - 1, 'ann', 'anna', false],
        [n, 'ann', 'anna', true],
      ]);
      expect(entries(b, ops).map((e) => e.kind === 'rename' && [e.nick, e.to, e.echo])).to.deep.equal([['ann', 'anna', false]]);
      // The new nick speaks, and the old one is free.
      rig.rsay(ann, ops, 'I am anna');
      expect(entries(rig.take(bob), ops).map((e) => e.nick)).to.deep.equal(['anna']);
      rig.join('ann', CAP_ROOMS, Buffer.alloc(16, 99));
    });

    it('refuses an invalid nick (NICK_INVALID) and one another session holds (NICK_TAKEN); a new spelling of its own is a rename', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      rig.join('bob');
      const bad = rig.cmd(ann, 'nick', { name: 'a b' });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_NICK_INVALID', arg: bad }]);
      const taken = rig.cmd(ann, 'nick', { name: 'BOB' });
      expect(errors(rig.take(ann))).to.deep.equal([{ code: 'UDPCHAT_ERR_NICK_TAKEN', arg: taken }]);
      rig.cmd(ann, 'nick', { name: 'Ann' });
      expect(entries(rig.take(ann), 0).map((e) => e.kind === 'rename' && e.to)).to.deep.equal(['Ann', 'Ann']);
    });

    it('keeps a private conversation across a rename (found again under the new nick)', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      rig.cmd(ann, 'msg', { name: 'bob', text: 'one' });
      const id = rig.take(ann).find((m) => m.type === 'roominfo');
      rig.cmd(bob, 'nick', { name: 'robert' });
      rig.take(ann);
      rig.cmd(ann, 'msg', { name: 'robert', text: 'two' });
      const got = rig.take(ann);
      expect(got.filter((m) => m.type === 'roominfo')).to.deep.equal([]);
      expect(id?.type === 'roominfo' && entries(got, id.roomId).map((e) => e.kind === 'msg' && e.text)).to.deep.equal(['two']);
    });
  });

  describe('away and back', () => {
    it('marks the session away in every stream and in member lists; revision-1 sessions read "/away …" and "/back"', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const old = rig.join('old', 0);
      const ops = rig.joinRoom(ann, '#ops');
      rig.joinRoom(bob, '#ops');
      for (const c of [ann, bob, old]) rig.take(c);
      rig.cmd(ann, 'away', { text: 'lunch' });
      const b = rig.take(bob);
      expect(entries(b, 0).map((e) => e.kind === 'away' && [e.away, e.text])).to.deep.equal([[true, 'lunch']]);
      expect(entries(b, ops).map((e) => e.kind === 'away' && [e.away, e.text])).to.deep.equal([[true, 'lunch']]);
      rig.send(bob, { type: 'rwho', token: bob.token, roomId: ops, page: 0 });
      const who = rig.take(bob);
      // Page 0 comes with the stream's ROOMINFO (for a client that lost it).
      expect(who.map((m) => m.type)).to.deep.equal(['roominfo', 'rroster']);
      expect(who.find((m) => m.type === 'rroster')).to.deep.include({ members: [{ nick: 'ann', away: true }, { nick: 'bob', away: false }] });
      rig.send(bob, { type: 'rwho', token: bob.token, roomId: 0, page: 0 });
      const lobby = rig.take(bob).find((m) => m.type === 'rroster');
      expect(lobby?.type === 'rroster' && lobby.members.filter((m) => m.away).map((m) => m.nick)).to.deep.equal(['ann']);
      rig.cmd(ann, 'back');
      rig.cmd(ann, 'back');
      const v1 = rig.take(old);
      onlyV1(v1);
      expect(entries(v1, 0).map((e) => e.kind === 'msg' && e.text)).to.deep.equal(['/away lunch', '/back']);
    });

    it('tells the person a private conversation opens with that the other is away (ROOMINFO topic)', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      rig.cmd(bob, 'away', { text: 'in a meeting' });
      rig.take(ann);
      rig.cmd(ann, 'msg', { name: 'bob', text: 'ping' });
      expect(rig.take(ann).find((m) => m.type === 'roominfo')).to.deep.include({ name: 'bob', topic: 'in a meeting' });
    });
  });

  describe('repair, member lists, RSTATE', () => {
    it('answers RNACK with RDATA of that stream, and below the oldest kept with a ROOMINFO naming it', () => {
      const rig = new Rig({ roomLogEntries: 8 });
      const ann = rig.join('ann');
      const ops = rig.joinRoom(ann, '#ops');
      for (let i = 0; i < 12; i++) rig.rsay(ann, ops, `m${i}`);
      rig.take(ann);
      rig.send(ann, { type: 'rnack', token: ann.token, roomId: ops, from: 10, to: 11 });
      expect(entries(rig.take(ann), ops).map((e) => e.seq)).to.deep.equal([10, 11]);
      rig.send(ann, { type: 'rnack', token: ann.token, roomId: ops, from: 2, to: 3 });
      expect(rig.take(ann).find((m) => m.type === 'roominfo')).to.deep.include({ roomId: ops, historyFrom: 6, lastSeq: 13 });
      rig.send(ann, { type: 'rnack', token: ann.token, roomId: ops + 1, from: 1, to: 1 });
      expect(rig.server.stats.drops['rnack-not-member']).to.equal(1);
    });

    it('answers RNACK of room 0 in the session\'s rendering (RDATA 0)', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      rig.rsay(ann, 0, 'waves', true);
      rig.take(ann);
      const seq = rig.server.log.lastSeq;
      rig.send(ann, { type: 'rnack', token: ann.token, roomId: 0, from: seq, to: seq });
      const got = rig.take(ann);
      expect(got.map((m) => m.type)).to.deep.equal(['rdata']);
      expect(entries(got, 0).map((e) => e.kind)).to.deep.equal(['action']);
    });

    it('sends RSTATE after each PONG to a session in other streams, and RSYNC after a stream\'s fan-out', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const ops = rig.joinRoom(ann, '#ops');
      rig.rsay(ann, ops, 'x');
      rig.take(ann);
      rig.send(ann, { type: 'ping', token: ann.token, delivered: 0, echo: 5 });
      expect(rig.take(ann)).to.deep.include({ type: 'rstate', streams: [{ roomId: ops, lastSeq: 2 }] });
      rig.now += 250;
      rig.server.tick(rig.now);
      rig.pump();
      expect(rig.take(ann)).to.deep.include({ type: 'rsync', roomId: ops, lastSeq: 2 });
      const lone = rig.join('lone');
      rig.take(lone);
      rig.send(lone, { type: 'ping', token: lone.token, delivered: 0, echo: 5 });
      expect(rig.take(lone).map((m) => m.type)).to.deep.equal(['pong', 'rstate']);
    });
  });

  describe('sessions ending and taken over', () => {
    it('announces a session that ends with a leave entry in each of its streams', () => {
      const rig = new Rig();
      const ann = rig.join('ann');
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      rig.joinRoom(bob, '#ops');
      rig.take(ann);
      rig.send(bob, { type: 'leave', token: bob.token });
      expect(entries(rig.take(ann), ops).map((e) => e.kind === 'leave' && [e.nick, e.reason])).to.deep.equal([['bob', 'quit']]);
    });

    it('keeps the streams of a session taken over by the same client from a new address, telling it by ROOMINFO', () => {
      const rig = new Rig();
      const ann = rig.join('ann', CAP_ROOMS, Buffer.alloc(16, 42));
      const bob = rig.join('bob');
      const ops = rig.joinRoom(ann, '#ops');
      rig.joinRoom(bob, '#ops');
      rig.take(bob);
      const moved = rig.join('ann', CAP_ROOMS, Buffer.alloc(16, 42));
      expect(rig.take(moved).find((m) => m.type === 'roominfo')).to.deep.include({ roomId: ops, kind: 'room' });
      expect(entries(rig.take(bob), ops)).to.deep.equal([]);
      rig.rsay(bob, ops, 'still there?');
      expect(entries(rig.take(moved), ops).map((e) => e.kind === 'msg' && e.text)).to.deep.equal(['still there?']);
    });
  });

  it('with persistence (§6.1.10): a command is acknowledged, and room 0\'s renderings fanned out, only once durable', () => {
    const rig = new Rig({ persistent: true });
    const ann = rig.join('ann');
    const old = rig.join('old', 0);
    rig.commit();
    rig.take(ann);
    rig.take(old);
    const cseq = rig.rsay(ann, 0, 'waves', true);
    expect(rig.take(ann).filter((m) => m.type === 'ack' || m.type === 'rdata' || m.type === 'data')).to.deep.equal([]);
    expect(rig.take(old)).to.deep.equal([]);
    rig.commit();
    const a = rig.take(ann);
    expect(acked(a)).to.equal(cseq);
    expect(entries(a, 0).map((e) => e.kind)).to.deep.equal(['action']);
    expect(entries(rig.take(old), 0).map((e) => e.kind === 'msg' && e.text)).to.deep.equal(['/me waves']);
    // A command that appends nothing to room 0 waits for its cseq mark.
    const join = rig.cmd(ann, 'join-room', { name: '#ops' });
    expect(acked(rig.take(ann))).to.equal(0);
    rig.commit();
    expect(acked(rig.take(ann))).to.equal(join);
  });

  it('never sends a revision-1 session anything it cannot decode, whatever the others do', () => {
    const rig = new Rig();
    const old = rig.join('old', 0);
    const ann = rig.join('ann');
    const bob = rig.join('bob');
    const ops = rig.joinRoom(ann, '#ops');
    rig.joinRoom(bob, '#ops');
    rig.rsay(ann, ops, 'x');
    rig.rsay(ann, 0, 'dances', true);
    rig.cmd(ann, 'topic', { roomId: 0, text: 't' });
    rig.cmd(bob, 'away', { text: 'brb' });
    rig.cmd(bob, 'nick', { name: 'bobby' });
    rig.cmd(ann, 'msg', { name: 'bobby', text: 'psst' });
    rig.cmd(ann, 'rooms');
    rig.send(old, { type: 'ping', token: old.token, delivered: 0, echo: 1 });
    rig.send(old, { type: 'nack', token: old.token, from: 1, to: rig.server.log.lastSeq });
    rig.send(old, { type: 'who', token: old.token, page: 0 });
    rig.now += 2_000;
    rig.server.tick(rig.now);
    rig.pump();
    const got = rig.take(old);
    onlyV1(got);
    // And its room 0 is whole: every seq once, in order.
    const seqs = [...new Set(entries(got, 0).map((e) => e.seq))].sort((a, b) => a - b);
    expect(seqs[seqs.length - 1]).to.equal(rig.server.log.lastSeq);
  });
});
