import { expect } from 'chai';
import { Liveness } from '../../lib/client/liveness.js';
import { RoomFeed } from '../../lib/client/room-feed.js';
import type { RoomEvent } from '../../lib/client/rooms-api.js';
import { RttEstimator } from '../../lib/client/rtt-estimator.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { StreamChannel } from '../../lib/client/stream-channel.js';
import { DEFAULTS } from '../../lib/protocol/constants.js';
import type { Entry } from '../../lib/protocol/messages.js';

const TOKEN = Buffer.alloc(16, 7);
const ROOM = 5;
const msg = (seq: number): Entry => ({ kind: 'msg', seq, time: 0, nick: 'bob', target: 0, text: `m${seq}` });

/** One user of StreamReceiver, driven the same way: entries in, messages out, NACK rounds. */
interface Receiver {
  entries(seqs: number[], now: number): void;
  /** The ranges NACKed (NACK or RNACK) by the requests due now. */
  nacked(now: number): Array<[number, number]>;
  nextDeadline(): number;
  offline(): void;
  /** Seqs of the messages emitted, in order. */
  delivered: number[];
  rtt: RttEstimator;
}

function roomFeed(): Receiver {
  const rtt = new RttEstimator();
  const delivered: number[] = [];
  const feed = new RoomFeed(rtt, new Liveness(), (e: ClientEvent | RoomEvent) => {
    if (e.type === 'message') delivered.push(e.seq);
  });
  // The member list is complete: no WHO is due, only NACKs.
  feed.receive({ type: 'roster', asOfSeq: 0, page: 0, pages: 1, nicks: ['bob'] }, 0);
  return {
    entries: (seqs, now) => feed.receive({ type: 'data', entries: seqs.map(msg) }, now),
    nacked: (now) => feed.requests(TOKEN, now).flatMap((m) => (m.type === 'nack' ? [[m.from, m.to] as [number, number]] : [])),
    nextDeadline: () => feed.nextDeadline(),
    offline: () => feed.offline(),
    delivered,
    rtt,
  };
}

function streamChannel(): Receiver {
  const rtt = new RttEstimator();
  const delivered: number[] = [];
  const channel = new StreamChannel(ROOM, rtt, new Liveness(), (e) => {
    if (e.type === 'message') delivered.push(e.seq);
  }, () => 'ann', 1, 0, 0);
  channel.roster({ type: 'rroster', roomId: ROOM, asOfSeq: 0, page: 0, pages: 1, members: [{ nick: 'bob', away: false }] });
  return {
    entries: (seqs, now) => channel.entries(seqs.map(msg), now),
    nacked: (now) => channel.requests(TOKEN, now).flatMap((m) => (m.type === 'rnack' && m.roomId === ROOM ? [[m.from, m.to] as [number, number]] : [])),
    nextDeadline: () => channel.nextDeadline(),
    offline: () => channel.offline(),
    delivered,
    rtt,
  };
}

describe('StreamReceiver', () => {
  for (const [name, make] of [['room 0 (RoomFeed, NACK)', roomFeed], ['another stream (StreamChannel, RNACK)', streamChannel]] as const) {
    describe(name, () => {
      it('delivers in seq order, once, whatever order the entries come in', () => {
        const r = make();
        r.entries([3, 2], 0);
        r.entries([2, 1, 3], 1);
        r.entries([4], 2);
        expect(r.delivered).to.deep.equal([1, 2, 3, 4]);
        expect(r.nextDeadline()).to.equal(Infinity);
      });

      it(`NACKs a gap ${DEFAULTS.nackDelayMs} ms after it appears, then every RTO; a hole that opens meanwhile waits for the next round`, () => {
        const r = make();
        const rto = r.rtt.rto;
        r.entries([2], 0);
        expect(r.nextDeadline()).to.equal(DEFAULTS.nackDelayMs);
        expect(r.nacked(DEFAULTS.nackDelayMs - 1)).to.deep.equal([]);
        expect(r.nacked(DEFAULTS.nackDelayMs)).to.deep.equal([[1, 1]]);
        r.entries([5], 40);
        expect(r.nextDeadline()).to.equal(DEFAULTS.nackDelayMs + rto);
        expect(r.nacked(70)).to.deep.equal([]);
        expect(r.nacked(DEFAULTS.nackDelayMs + rto)).to.deep.equal([
          [1, 1],
          [3, 4],
        ]);
      });

      it('asks for the next stretch one SRTT after the last NACK while repair delivers entries', () => {
        const r = make();
        r.rtt.sample(40);
        r.entries([2, 4], 0);
        const first = DEFAULTS.nackDelayMs;
        r.nacked(first);
        r.entries([1], first + 5);
        expect(r.delivered).to.deep.equal([1, 2]);
        expect(r.nextDeadline()).to.equal(first + 40);
        expect(r.nacked(first + 40)).to.deep.equal([[3, 3]]);
      });

      it('starts a new episode once nothing is missing, and stops repair while offline', () => {
        const r = make();
        r.entries([2], 0);
        r.nacked(DEFAULTS.nackDelayMs);
        r.entries([1], 100);
        expect(r.nextDeadline()).to.equal(Infinity);
        r.entries([4], 200);
        expect(r.nextDeadline()).to.equal(200 + DEFAULTS.nackDelayMs);
        r.offline();
        expect(r.nextDeadline()).to.equal(Infinity);
        expect(r.nacked(10_000)).to.deep.equal([]);
      });
    });
  }
});
