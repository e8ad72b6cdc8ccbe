/**
 * Rooms under sealed sessions (docs/protocol.md §5.8, §6.3.4): a room other than #lobby, and a
 * private conversation, reach their members on each member's own session channel — never sealed
 * once under the room key, which every session of room 0 holds.
 */
import { expect } from 'chai';
import type { RoomEvent } from '../../lib/client/rooms-api.js';
import { SealedNet } from './sealed-net.js';

const KIND_ROOM = 6;

describe('rooms under sealed sessions (sans-I/O)', () => {
  it('delivers a room and a conversation on the members\' session channels only; a non-member gets nothing of them', () => {
    const net = new SealedNet();
    const [ann, bob, cy] = ['ann', 'bob', 'cy'].map((n) => net.client(n));
    for (const c of [ann, bob, cy]) net.join(c!);
    expect(ann!.core.roomsSupported).to.equal(true);
    ann!.core.joinRoom('#ops', net.now);
    bob!.core.joinRoom('#ops', net.now);
    net.run();
    const ops = ann!.core.streams.all.find((s) => s.name === '#ops')?.roomId as number;
    const before = cy!.received.length;
    const roomSealed = net.server.stats.roomSealed;
    ann!.core.sayIn(ops, 'secret plans', {}, net.now);
    ann!.core.msg('bob', 'just for you', {}, net.now);
    net.run();
    const texts = (c: typeof ann): string[] => c!.events.flatMap((e) => (e.type === 'message' && 'roomId' in e && e.roomId !== undefined ? [e.text] : []));
    expect(texts(bob)).to.deep.equal(['secret plans', 'just for you']);
    expect(texts(cy)).to.deep.equal([]);
    // cy was sent nothing at all meanwhile, and nothing went under the room key.
    expect(cy!.received.length).to.equal(before);
    expect(net.server.stats.roomSealed).to.equal(roomSealed);
    expect(bob!.received.slice(-3).map((d) => d[4]), 'the envelope kind byte (6: room)').to.not.include(KIND_ROOM);
    expect((bob!.events as RoomEvent[]).some((e) => e.type === 'stream' && e.stream.kind === 'private')).to.equal(true);
  });
});
