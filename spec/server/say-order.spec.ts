/**
 * A session's messages under any arrival order (docs/protocol.md §6.1.4): whatever mix of in-order,
 * early, late and repeated SAYs arrives, and however the flood limit holds them back, each cseq is
 * accepted exactly once and in order, never faster than the limit allows, everything sent at least
 * once is accepted in the end, and every flush that follows an acceptance acknowledges exactly the
 * highest cseq accepted (in memory). The in-order case has a fast path in onSay; these properties
 * hold it to what the inbox path does.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { decode, encode } from '../../lib/protocol/codec.js';
import type { WelcomeMessage } from '../../lib/protocol/messages.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { ServerCore } from '../../lib/server/server-core.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;
const FC_SEED = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? undefined : Number(process.env.FC_SEED);
const ann: PeerAddress = { address: '192.0.2.1', port: 5001 };
const bob: PeerAddress = { address: '192.0.2.2', port: 5002 };

interface Seen {
  /** Texts of ann's messages in the order bob got them. */
  texts: string[];
  /** ACK cseqs ann got, one list per flush. */
  acks: number[][];
}

function join(server: ServerCore, from: PeerAddress, nick: string): Buffer {
  const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId: Buffer.alloc(16, nick.charCodeAt(0)), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick };
  server.receive(encode(hello), from, T0);
  const cookie = server.drain().datagrams.map((d) => decode(d.data)).find((m) => m.type === 'cookie');
  if (cookie?.type !== 'cookie') throw new Error('no cookie');
  server.receive(encode({ ...hello, cookie: cookie.cookie }), from, T0);
  server.flush(T0);
  const welcome = server.drain().datagrams.map((d) => decode(d.data)).find((m) => m.type === 'welcome');
  if (welcome === undefined) throw new Error('no welcome');
  return (welcome as WelcomeMessage).token;
}

/** Reads what the server sent since the last call into `seen`. */
function collect(server: ServerCore, seen: Seen): void {
  const acks: number[] = [];
  for (const d of server.drain().datagrams) {
    const to = Array.isArray(d.to) ? (d.to as PeerAddress[]) : [d.to as PeerAddress];
    const m = decode(d.data);
    if (m.type === 'ack' && to.some((a) => a.port === ann.port)) acks.push(m.cseq);
    if (m.type === 'data' && to.some((a) => a.port === bob.port)) for (const e of m.entries) if (e.kind === 'msg' && e.nick === 'ann') seen.texts.push(e.text);
  }
  seen.acks.push(acks);
}

/**
 * One step of the client's traffic: its next new message (as a client mostly sends), a SAY with any
 * cseq of 1..N (a resend, a duplicate, one from far ahead), or time passing by `ms` with a tick.
 */
type Step = { next: true } | { say: number } | { wait: number };

/** cseqs 1..N. */
const N = 10;

const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constant({ next: true as const }) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: N }).map((say) => ({ say })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 1_500 }).map((wait) => ({ wait })) },
  ),
  { maxLength: 40 },
);

describe('ServerCore: SAYs in any order', () => {
  it('accepts each cseq once, in order, within the flood limit, acknowledges the highest after each flush, and loses nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), steps, (rate, burst, script) => {
        const server = new ServerCore({ rate, burst, random: seededBytes(3), now: T0 });
        const token = join(server, ann, 'ann');
        join(server, bob, 'bob');
        server.drain();
        const seen: Seen = { texts: [], acks: [] };
        let now = T0 + 1;
        const sentOnce = new Set<number>();
        /** What the last flush sent, against what was accepted before it. */
        const check = (before: number): void => {
          const acks = seen.acks.at(-1) ?? [];
          // Accepted so far: exactly 1..k, in order.
          expect(seen.texts).to.deep.equal(Array.from({ length: seen.texts.length }, (_, i) => `m${i + 1}`));
          // Never faster than the flood limit (burst, then `rate` a second).
          expect(seen.texts.length).to.be.at.most(burst + Math.floor(((now - T0) * rate) / 1000) + 1);
          if (seen.texts.length > before) expect(acks, 'an acceptance is acknowledged at the next flush').to.deep.equal([seen.texts.length]);
          for (const a of acks) expect(a).to.equal(seen.texts.length);
        };
        const wait = (ms: number): void => {
          const before = seen.texts.length;
          now += ms;
          server.tick(now);
          collect(server, seen);
          check(before);
        };
        for (const step of script) {
          if ('wait' in step) {
            wait(step.wait);
            continue;
          }
          const before = seen.texts.length;
          const cseq = 'say' in step ? step.say : Math.min(N, Math.max(0, ...sentOnce) + 1);
          sentOnce.add(cseq);
          server.receive(encode({ type: 'say', token, cseq, target: 0, text: `m${cseq}` }), ann, now);
          server.flush(now);
          collect(server, seen);
          check(before);
        }
        // Long enough for the flood limit to let everything held through.
        for (let i = 0; i < 2 * N + 2; i++) wait(1_000);
        let k = 0;
        while (sentOnce.has(k + 1)) k++;
        expect(seen.texts.length, 'every cseq up to the first never sent is accepted').to.equal(k);
      }),
      { numRuns: 500, ...(FC_SEED === undefined ? {} : { seed: FC_SEED }) },
    );
  });
});
