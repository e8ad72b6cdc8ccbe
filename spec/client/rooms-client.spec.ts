/**
 * The client core's rooms (lib/client/rooms-api.ts) against a real server core, in memory
 * (spec/support/sim-network.ts, no faults here: spec/sim/rooms.spec.ts adds them): every
 * RoomsSession call and what it comes to as events, refusals included.
 */
import { expect } from 'chai';
import { LOBBY_ID, type RoomEvent } from '../../lib/client/rooms-api.js';
import { decode } from '../../lib/protocol/codec.js';
import { type SimClient, SimNetwork } from '../support/sim-network.js';

const SEED = 424242;

function online(names: string[], options: ConstructorParameters<typeof SimNetwork>[1] = {}): { net: SimNetwork; cs: SimClient[] } {
  const net = new SimNetwork(SEED, options);
  const cs = names.map((n) => net.addClient(n));
  net.run(1_000);
  return { net, cs };
}

/** The room events of a client since the last call. */
function take(c: SimClient): RoomEvent[] {
  const got = c.roomEvents;
  c.roomEvents = [];
  return got;
}

function streamId(c: SimClient, name: string): number {
  const s = c.core.streams.all.find((x) => x.name === name);
  if (s === undefined) throw new Error(`${c.name} is not in ${name}`);
  return s.roomId;
}

describe('rooms in the client core, against the server core', () => {
  it('offers the rooms capability and learns the server has it', () => {
    const { cs } = online(['ann']);
    expect(cs[0]?.core.roomsSupported).to.equal(true);
  });

  it('joins a room: a stream event opens it, messages and the member list follow, other clients are not told', () => {
    const { net, cs } = online(['ann', 'bob', 'cy']);
    const [ann, bob, cy] = cs as [SimClient, SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    net.run(500);
    const opened = take(ann).find((e) => e.type === 'stream');
    expect(opened).to.deep.include({ type: 'stream', opened: true });
    const ops = streamId(ann, '#ops');
    bob.core.joinRoom('#OPS', net.now);
    net.run(500);
    expect(streamId(bob, '#ops')).to.equal(ops);
    ann.core.sayIn(ops, 'hello ops', {}, net.now);
    bob.core.sayIn(ops, 'waves', { action: true }, net.now);
    net.run(500);
    expect(ann.streamLines.get(ops)).to.deep.equal(['3 ann: hello ops', '4 * bob waves']);
    expect(bob.streamLines.get(ops)).to.deep.equal(ann.streamLines.get(ops));
    expect(cy.streamLines.size).to.equal(0);
    expect(ann.core.streams.members(ops).map((m) => m.nick)).to.deep.equal(['ann', 'bob']);
    expect(take(cy).filter((e) => e.type !== 'members' || e.roomId !== LOBBY_ID)).to.deep.equal([]);
    // Own messages in a stream are marked own.
    expect(ann.events.some((e) => e.type === 'message' && e.roomId === ops && e.own && e.text === 'hello ops')).to.equal(true);
  });

  it('marks what was said in a room while it was away as missed after the rejoin, and what follows as live (§6.2.7)', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    bob.core.joinRoom('#ops', net.now);
    net.run(500);
    const ops = streamId(bob, '#ops');
    ann.core.sayIn(ops, 'before', {}, net.now);
    net.run(500);
    bob.cut = true;
    net.run(1_000);
    ann.core.sayIn(ops, 'while bob was away', {}, net.now);
    // Long enough for bob to give the server up and rejoin (resume) once the link is back.
    net.run(40_000);
    bob.cut = false;
    net.run(5_000);
    ann.core.sayIn(ops, 'after', {}, net.now);
    net.run(1_000);
    const said = bob.events.filter((e) => e.type === 'message' && e.roomId === ops && e.nick === 'ann');
    expect(said.map((e) => [e.type === 'message' && e.text, 'missed' in e && e.missed])).to.deep.equal([
      ['before', false],
      ['while bob was away', true],
      ['after', false],
    ]);
  });

  it('sends and answers private messages in one conversation stream named after the other person', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.msg('bob', 'lunch?', {}, net.now);
    net.run(500);
    const a = take(ann).find((e) => e.type === 'stream');
    const b = take(bob).find((e) => e.type === 'stream');
    expect(a?.type === 'stream' && [a.stream.kind, a.stream.name]).to.deep.equal(['private', 'bob']);
    expect(b?.type === 'stream' && [b.stream.kind, b.stream.name]).to.deep.equal(['private', 'ann']);
    const id = streamId(bob, 'ann');
    bob.core.sayIn(id, 'yes', {}, net.now);
    net.run(500);
    expect(ann.streamLines.get(id)).to.deep.equal(['1 ann: lunch?', '2 bob: yes']);
    expect(bob.streamLines.get(id)).to.deep.equal(['1 ann: lunch?', '2 bob: yes']);
  });

  it('refuses a message to someone offline with the text kept (command-refused NOT_ONLINE)', () => {
    const { net, cs } = online(['ann']);
    const ann = cs[0] as SimClient;
    ann.core.msg('ghost', 'are you there', {}, net.now);
    net.run(500);
    expect(take(ann).filter((e) => e.type !== 'members')).to.deep.equal([{ type: 'command-refused', op: 'msg', target: 'ghost', text: 'are you there', code: 'UDPCHAT_ERR_NOT_ONLINE', reason: 'ghost is not online' }]);
    expect(ann.core.sender.outbox.size).to.equal(0);
  });

  it('parts a room (stream-closed parted) and sees others part (part event, member list)', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    bob.core.joinRoom('#ops', net.now);
    net.run(500);
    const ops = streamId(ann, '#ops');
    take(ann);
    bob.core.part(ops, 'lunch', net.now);
    net.run(500);
    expect(take(bob).filter((e) => e.type === 'stream-closed')).to.deep.equal([{ type: 'stream-closed', roomId: ops, name: '#ops', why: 'parted' }]);
    const seen = take(ann);
    expect(seen.find((e) => e.type === 'part')).to.deep.include({ nick: 'bob', reason: 'lunch', roomId: ops });
    expect(ann.core.streams.members(ops).map((m) => m.nick)).to.deep.equal(['ann']);
    expect(bob.core.streams.get(ops)).to.equal(undefined);
  });

  it('sets topics, lists rooms, and refuses a bad room name', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    net.run(500);
    const ops = streamId(ann, '#ops');
    ann.core.topic(ops, 'deploy at 5', net.now);
    net.run(500);
    expect(take(ann).find((e) => e.type === 'topic')).to.deep.include({ nick: 'ann', topic: 'deploy at 5', roomId: ops });
    bob.core.listRooms(net.now);
    bob.core.joinRoom('ops', net.now);
    net.run(500);
    const got = take(bob);
    expect(got.find((e) => e.type === 'rooms')).to.deep.equal({
      type: 'rooms',
      rooms: [
        { name: '#lobby', members: 2, topic: '' },
        { name: '#ops', members: 1, topic: 'deploy at 5' },
      ],
    });
    expect(got.find((e) => e.type === 'command-refused')).to.deep.include({ op: 'join', target: 'ops', code: 'UDPCHAT_ERR_ROOM_NAME_INVALID' });
    bob.core.joinRoom('#ops', net.now);
    net.run(500);
    expect(bob.core.streams.get(ops)?.topic).to.equal('deploy at 5');
  });

  it('renames live: its own nick changes (a nick event), others see one rename per stream, a conversation follows the new name', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    bob.core.joinRoom('#ops', net.now);
    bob.core.msg('ann', 'hi', {}, net.now);
    net.run(500);
    take(ann);
    take(bob);
    ann.core.changeNick('anna', net.now);
    net.run(500);
    expect(ann.core.nick).to.equal('anna');
    expect(take(ann).filter((e) => e.type === 'nick')).to.deep.equal([{ type: 'nick', nick: 'anna', previous: 'ann' }]);
    const renames = take(bob).filter((e) => e.type === 'rename');
    expect(renames).to.have.length(3); // #lobby, #ops, the conversation
    expect(renames.every((e) => e.type === 'rename' && e.from === 'ann' && e.to === 'anna')).to.equal(true);
    expect(bob.core.streams.privateWith('anna')?.kind).to.equal('private');
    expect(bob.core.feed.roster.nicks()).to.include('anna').and.not.include('ann');
    // Taken nicks are refused.
    bob.core.changeNick('ANNA', net.now);
    net.run(500);
    expect(take(bob).find((e) => e.type === 'command-refused')).to.deep.include({ op: 'nick', target: 'ANNA', code: 'UDPCHAT_ERR_NICK_TAKEN' });
  });

  it('goes away and comes back: away events in each stream, the flag in member lists, a conversation partner shown away', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    bob.core.msg('ann', 'hi', {}, net.now);
    net.run(500);
    take(bob);
    ann.core.away('lunch', net.now);
    net.run(500);
    const got = take(bob);
    expect(got.filter((e) => e.type === 'away').map((e) => e.type === 'away' && [e.roomId === LOBBY_ID ? 'lobby' : 'private', e.away, e.reason])).to.deep.equal([
      ['lobby', true, 'lunch'],
      ['private', true, 'lunch'],
    ]);
    expect(bob.core.streams.privateWith('ann')?.away).to.equal('lunch');
    expect(bob.core.streams.members(LOBBY_ID).find((m) => m.nick === 'ann')?.away).to.equal(true);
    ann.core.back(net.now);
    net.run(500);
    expect(bob.core.streams.privateWith('ann')?.away).to.equal(undefined);
    expect(bob.core.streams.members(LOBBY_ID).find((m) => m.nick === 'ann')?.away).to.equal(false);
  });

  it('answers who() at once from what it knows', () => {
    const { net, cs } = online(['ann', 'bob']);
    const ann = cs[0] as SimClient;
    take(ann);
    ann.core.who(LOBBY_ID, net.now);
    net.run(10);
    expect(take(ann)).to.deep.equal([{ type: 'members', roomId: LOBBY_ID, members: [{ nick: 'ann', away: false }, { nick: 'bob', away: false }] }]);
  });

  it('says /me in #lobby as an action; a revision-1 client reads "/me …"', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.sayIn(LOBBY_ID, 'waves', { action: true }, net.now);
    net.run(500);
    expect(bob.events.find((e) => e.type === 'message' && e.action === true)).to.deep.include({ nick: 'ann', text: 'waves' });
  });

  it('keeps its rooms across a server restart: joins them again by name (a new stream), and its private streams close', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    ann.core.msg('bob', 'hi', {}, net.now);
    net.run(500);
    const old = streamId(ann, '#ops');
    take(ann);
    net.restartServer();
    net.run(40_000);
    const got = take(ann);
    expect(got.filter((e) => e.type === 'stream-closed').map((e) => e.type === 'stream-closed' && [e.name, e.why])).to.deep.include.members([
      ['#ops', 'gone'],
      ['bob', 'gone'],
    ]);
    expect(ann.core.streams.all.map((s) => s.name)).to.deep.equal(['#lobby', '#ops']);
    const again = streamId(ann, '#ops');
    ann.core.sayIn(again, 'back', {}, net.now);
    bob.core.joinRoom('#ops', net.now);
    net.run(1_000);
    expect(bob.streamLines.get(again)).to.deep.equal(['2 ann: back']);
    expect(again).to.be.a('number');
    expect(old).to.be.a('number');
  });

  it('recovers a lost ROOMINFO (RWHO page 0 brings it) and a lost ROOMINFO gone (an RSTATE without the stream closes it)', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    let lose = true;
    net.dropIf = (d, to) => lose && to === ann && decode(d).type === 'roominfo';
    ann.core.joinRoom('#ops', net.now);
    bob.core.joinRoom('#ops', net.now);
    net.run(300);
    lose = false;
    bob.core.sayIn(streamId(bob, '#ops'), 'anyone?', {}, net.now);
    net.run(2_000);
    const ops = streamId(ann, '#ops');
    expect(ann.streamLines.get(ops)).to.deep.equal(['3 bob: anyone?']);
    lose = true;
    ann.core.part(ops, '', net.now);
    net.run(12_000);
    expect(ann.core.streams.get(ops)).to.equal(undefined);
    expect(take(ann).filter((e) => e.type === 'stream-closed')).to.deep.equal([{ type: 'stream-closed', roomId: ops, name: '#ops', why: 'parted' }]);
  });

  it('asks for the room list again when lines of it were lost, and shows it whole', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    bob.core.joinRoom('#a', net.now);
    bob.core.joinRoom('#b', net.now);
    net.run(500);
    let lost = 0;
    net.dropIf = (d, to) => {
      const m = decode(d);
      if (to !== ann || m.type !== 'roominfo' || m.kind !== 'listing' || lost >= 2) return false;
      lost++;
      return true;
    };
    take(ann);
    ann.core.listRooms(net.now);
    net.run(3_000);
    expect(lost).to.equal(2);
    expect(take(ann).filter((e) => e.type === 'rooms')).to.deep.equal([
      { type: 'rooms', rooms: [{ name: '#lobby', members: 2, topic: '' }, { name: '#a', members: 1, topic: '' }, { name: '#b', members: 1, topic: '' }] },
    ]);
  });

  it('sends what was said in a room while the server was down to the room once it is joined again after the restart, not refused', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    bob.core.joinRoom('#ops', net.now);
    net.run(500);
    const old = streamId(ann, '#ops');
    net.stopServer();
    net.run(2_000);
    ann.core.sayIn(old, 'said while it was down', {}, net.now);
    ann.core.sayIn(old, 'and once more', {}, net.now);
    take(ann);
    net.restartServer();
    net.run(40_000);
    const got = take(ann);
    expect(got.filter((e) => e.type === 'command-refused'), 'nothing refused: the room came back').to.deep.equal([]);
    const again = streamId(ann, '#ops');
    expect(again).to.not.equal(old);
    const lines = bob.streamLines.get(streamId(bob, '#ops')) ?? [];
    expect(lines.map((l) => l.slice(l.indexOf(' ') + 1))).to.deep.equal(['ann: said while it was down', 'ann: and once more']);
    expect(ann.core.pending, 'nothing left to send').to.equal(0);
  });

  it('after a restart that kept its session (no WELCOME), joins its rooms again when RSTATE no longer names them', () => {
    const { net, cs } = online(['ann', 'bob']);
    const [ann, bob] = cs as [SimClient, SimClient];
    ann.core.joinRoom('#ops', net.now);
    bob.core.joinRoom('#ops', net.now);
    net.run(500);
    const old = streamId(ann, '#ops');
    take(ann);
    net.restartServerKeepingRoom();
    net.run(15_000);
    expect(ann.events.filter((e) => e.type === 'joined' && e.rejoined), 'no rejoin: the session went on').to.deep.equal([]);
    const again = streamId(ann, '#ops');
    expect(again).to.not.equal(old);
    expect(take(ann).filter((e) => e.type === 'stream-closed' || (e.type === 'stream' && e.opened)).map((e) => e.type)).to.deep.equal(['stream-closed', 'stream']);
    ann.core.sayIn(again, 'still here', {}, net.now);
    net.run(1_000);
    expect(bob.streamLines.get(streamId(bob, '#ops'))).to.include(`${ann.streamLines.get(again)?.at(-1)?.split(' ')[0]} ann: still here`);
  });

  it('refuses rooms calls queued for a server that turns out to have no rooms, keeping what was typed', () => {
    const net = new SimNetwork(SEED, { rooms: false });
    const ann = net.addClient('ann');
    net.run(1_000);
    expect(ann.core.roomsSupported).to.equal(false);
    ann.core.joinRoom('#ops', net.now);
    net.run(10);
    expect(take(ann).map((e) => e.type === 'command-refused' && e.code)).to.deep.equal(['UDPCHAT_ERR_UNSUPPORTED']);
    // Nothing but revision-1 datagrams went out.
    expect(ann.core.drain().datagrams.map((d) => decode(d).type)).to.deep.equal([]);
  });
});
