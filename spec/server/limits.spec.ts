/**
 * What a member or a stranger can make the server send (issue 10 items 6 and 8): repair and roster
 * pages within a budget tied to what the room produced, session creation per IP, COOKIE replies.
 */
import { expect } from 'chai';
import { decode, encode } from '../../lib/protocol/codec.js';
import type { Message, WelcomeMessage } from '../../lib/protocol/messages.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { REPAIR_ALLOWANCE_BYTES } from '../../lib/server/repair-budget.js';
import { CAP_HISTORY } from '../../lib/protocol/history-codec.js';
import { PAGE_BURST_BYTES, PAGE_RATE_BYTES } from '../../lib/server/history-pages.js';
import { ServerCore } from '../../lib/server/server-core.js';
import type { ServerOptions } from '../../lib/server/server-options.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;

function newServer(options: Partial<ServerOptions> = {}): ServerCore {
  return new ServerCore({ ...options, random: seededBytes(11), now: T0 });
}

function drain(server: ServerCore): Array<{ to: PeerAddress[]; m: Message; bytes: number }> {
  return server.drain().datagrams.map((d) => ({ to: Array.isArray(d.to) ? [...(d.to as PeerAddress[])] : [d.to as PeerAddress], m: decode(d.data), bytes: d.data.length }));
}

function hello(clientId: Buffer, nick: string, caps = 0): Message {
  return { type: 'join', cookie: Buffer.alloc(16), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps, nick };
}

/** Joins through the cookie round trip; returns the WELCOME (or undefined) and what else came. */
function join(server: ServerCore, from: PeerAddress, nick: string, now: number, clientId = Buffer.alloc(16, nick.charCodeAt(0)), caps = 0): WelcomeMessage | undefined {
  server.receive(encode(hello(clientId, nick, caps)), from, now);
  const cookie = drain(server).find((s) => s.m.type === 'cookie');
  if (cookie?.m.type !== 'cookie') return undefined;
  server.receive(encode({ ...(hello(clientId, nick, caps) as object), cookie: cookie.m.cookie } as Message), from, now);
  server.flush(now);
  return drain(server).find((s) => s.m.type === 'welcome')?.m as WelcomeMessage | undefined;
}

const ann: PeerAddress = { address: '192.0.2.1', port: 5001 };
const bob: PeerAddress = { address: '192.0.2.2', port: 5002 };

describe('ServerCore limits', () => {
  describe('repair budget', () => {
    it('does not cut off a client that asks faster than its credit refills for a few seconds', () => {
      const server = newServer();
      const annToken = (join(server, ann, 'ann', T0) as WelcomeMessage).token;
      const bobToken = (join(server, bob, 'bob', T0) as WelcomeMessage).token;
      for (let i = 1; i <= 20; i++) server.receive(encode({ type: 'say', token: annToken, cseq: i, target: 0, text: 'z'.repeat(900) }), ann, T0 + 1);
      server.flush(T0 + 1);
      drain(server);
      let refused = 0;
      for (let i = 0; i < 400; i++) {
        server.receive(encode({ type: 'nack', token: bobToken, from: 1, to: 22 }), bob, T0 + 10 + 10 * i);
        if (!drain(server).some((d) => d.m.type === 'data')) refused++;
      }
      expect(refused, 'most requests found the budget empty').to.be.above(300);
      expect(server.stats.drops['hard-limit']).to.equal(undefined);
      expect(server.sessions.size).to.equal(2);
    });

    it('sends a member no more repair than the room produced plus the allowance, then cuts it off', () => {
      const server = newServer({ rate: 1e6, burst: 1e6, hardRate: 1e6, hardBurst: 1e6 });
      const annToken = (join(server, ann, 'ann', T0) as WelcomeMessage).token;
      const bobToken = (join(server, bob, 'bob', T0) as WelcomeMessage).token;
      let fannedOut = 0;
      for (let i = 1; i <= 400; i++) server.receive(encode({ type: 'say', token: annToken, cseq: i, target: 0, text: `message ${i} ${'x'.repeat(200)}` }), ann, T0 + 1);
      server.flush(T0 + 1);
      for (const d of drain(server)) if (d.m.type === 'data' && d.to.length === 2) fannedOut += d.bytes;
      // bob asks for everything again and again.
      let repaired = 0;
      let cutOff = false;
      // One NACK every 50 ms: within the hard limit, past the 30 s of an empty budget.
      for (let i = 0; i < 2_000 && !cutOff; i++) {
        server.receive(encode({ type: 'nack', token: bobToken, from: 1, to: 500 }), bob, T0 + 2 + 50 * i);
        if (i % 100 === 0) server.receive(encode({ type: 'ping', token: annToken, delivered: 0, echo: i }), ann, T0 + 2 + 50 * i);
        for (const d of drain(server)) {
          if (d.m.type === 'data') repaired += d.bytes;
          if (d.m.type === 'bye' && d.m.reason === 'flooding') cutOff = true;
        }
      }
      // Owed besides: the history replay at bob's join (ann's join entry, a few dozen bytes).
      expect(repaired, 'repair bytes').to.be.at.most(fannedOut + REPAIR_ALLOWANCE_BYTES + 64);
      expect(repaired, 'it did get one full repair').to.be.at.least(fannedOut);
      expect(cutOff, 'cut off after hammering an empty budget for 30 s').to.equal(true);
      expect([...server.sessions.all()].map((s) => s.nick)).to.deep.equal(['ann']);
    });

    it('counts NACK answers, ROSTER pages and WHOIS answers against one budget: the §5.5 bound holds for a mix', () => {
      const server = newServer({ rate: 1e6, burst: 1e6, hardRate: 1e6, hardBurst: 1e6 });
      const annToken = (join(server, ann, 'ann', T0) as WelcomeMessage).token;
      const bobToken = (join(server, bob, 'bob', T0) as WelcomeMessage).token;
      let fannedOut = 0;
      let requested = 0;
      let extra = 0;
      for (let round = 0; round < 20; round++) {
        const now = T0 + 1 + round * 100;
        for (let i = 1; i <= 10; i++) server.receive(encode({ type: 'say', token: annToken, cseq: round * 10 + i, target: 0, text: 'x'.repeat(300) }), ann, now);
        server.flush(now);
        for (const d of drain(server)) if (d.m.type === 'data' && d.to.length === 2) fannedOut += d.bytes;
        for (let i = 0; i < 300; i++) {
          const m: Message =
            i % 3 === 0 ? { type: 'nack', token: bobToken, from: 1, to: 250 } : i % 3 === 1 ? { type: 'who', token: bobToken, page: 0 } : { type: 'whois', token: bobToken, nick: 'ann' };
          const bytes = encode(m);
          requested += bytes.length;
          server.receive(bytes, bob, now + 1);
          for (const d of drain(server)) if (d.to.length === 1 && d.to[0]?.port === bob.port) extra += d.bytes;
        }
      }
      // §5.5: beyond the fan-out, at most what the room fanned out since bob joined, plus the
      // 64 KiB allowance, plus the history owed at the join (ann's join entry) and bob's own ACK-less replies.
      expect(extra, 'bytes drawn').to.be.at.most(fannedOut + REPAIR_ALLOWANCE_BYTES + 64);
      expect(extra / requested, 'far below the per-request ratio of a NACK').to.be.below(2);
      expect(server.stats.drops['repair-budget']).to.be.greaterThan(1000);
    });

    it('bounds a mix with HISTORY too: PAGEs draw on the paging allowance (64 KiB + 128 KiB/s), then the same budget (§5.5)', () => {
      const server = newServer({ rate: 1e6, burst: 1e6, hardRate: 1e6, hardBurst: 1e6 });
      const annToken = (join(server, ann, 'ann', T0) as WelcomeMessage).token;
      const bobToken = (join(server, bob, 'bob', T0, Buffer.alloc(16, 0xbb), CAP_HISTORY) as WelcomeMessage).token;
      let fannedOut = 0;
      let extra = 0;
      let pages = 0;
      const rounds = 20;
      for (let round = 0; round < rounds; round++) {
        const now = T0 + 1 + round * 100;
        for (let i = 1; i <= 10; i++) server.receive(encode({ type: 'say', token: annToken, cseq: round * 10 + i, target: 0, text: 'x'.repeat(300) }), ann, now);
        server.flush(now);
        for (const d of drain(server)) if (d.m.type === 'data' && d.to.length === 2) fannedOut += d.bytes;
        for (let i = 0; i < 400; i++) {
          const kind = i % 4;
          const m: Message =
            kind === 0
              ? { type: 'nack', token: bobToken, from: 1, to: 250 }
              : kind === 1
                ? { type: 'who', token: bobToken, page: 0 }
                : kind === 2
                  ? { type: 'whois', token: bobToken, nick: 'ann' }
                  : { type: 'history', token: bobToken, before: server.log.lastSeq + 1, count: 255 };
          // Requests spread over the round, so held pages go out as the allowance refills.
          const at = now + 1 + Math.floor(i / 5);
          server.receive(encode(m), bob, at);
          server.tick(at);
          for (const d of drain(server)) {
            if (d.to.length !== 1 || d.to[0]?.port !== bob.port) continue;
            extra += d.bytes;
            if (d.m.type === 'page') pages++;
          }
        }
      }
      const seconds = (rounds * 100) / 1000;
      expect(pages, 'pages were sent').to.be.above(100);
      expect(extra, 'bytes drawn').to.be.at.most(fannedOut + REPAIR_ALLOWANCE_BYTES + 64 + PAGE_BURST_BYTES + PAGE_RATE_BYTES * seconds);
      expect(server.stats.drops['hard-limit']).to.equal(undefined);
    });

    it('answers NACKs again once the room has produced more', () => {
      const server = newServer();
      const annToken = (join(server, ann, 'ann', T0) as WelcomeMessage).token;
      const bobToken = (join(server, bob, 'bob', T0) as WelcomeMessage).token;
      const say = (cseq: number, now: number): void => {
        server.receive(encode({ type: 'say', token: annToken, cseq, target: 0, text: 'y'.repeat(900) }), ann, now);
        server.flush(now);
        drain(server);
      };
      say(1, T0 + 1);
      // Spend the allowance.
      for (let i = 0; i < 200; i++) {
        server.receive(encode({ type: 'nack', token: bobToken, from: 1, to: 3 }), bob, T0 + 2);
        drain(server);
      }
      server.receive(encode({ type: 'nack', token: bobToken, from: 3, to: 3 }), bob, T0 + 3);
      expect(drain(server).filter((d) => d.m.type === 'data'), 'budget empty').to.be.empty;
      say(2, T0 + 4);
      server.receive(encode({ type: 'nack', token: bobToken, from: 4, to: 4 }), bob, T0 + 5);
      expect(drain(server).filter((d) => d.m.type === 'data')).to.have.length(1);
    });
  });

  describe('session creation per IP', () => {
    it('lets one IP create sessionsPerIp sessions at once, then refuses with TOO_MANY_SESSIONS and a wait', () => {
      const server = newServer({ sessionsPerIp: 4 });
      let ok = 0;
      let refusal: Message | undefined;
      for (let i = 0; i < 12 && refusal === undefined; i++) {
        const from = { address: '192.0.2.9', port: 6000 + i };
        const clientId = Buffer.alloc(16, 100 + i);
        const welcome = join(server, from, `u${i}`, T0 + i, clientId);
        if (welcome !== undefined) {
          ok++;
          // ...and leaves again at once (churn).
          server.receive(encode({ type: 'leave', token: welcome.token }), from, T0 + i);
          drain(server);
        } else {
          server.receive(encode({ ...(hello(clientId, `u${i}`) as object), cookie: server.cookieFor(from, clientId, T0 + i) } as Message), from, T0 + i);
          refusal = drain(server).find((d) => d.m.type === 'error')?.m;
        }
      }
      expect(ok).to.equal(4);
      expect(refusal).to.include({ code: 'UDPCHAT_ERR_TOO_MANY_SESSIONS' });
      expect((refusal as { detail: string }).detail).to.match(/try again in \d+ s/);
      // A minute later there is room again.
      expect(join(server, { address: '192.0.2.9', port: 7000 }, 'later', T0 + 60_000, Buffer.alloc(16, 99))).to.not.equal(undefined);
    });
  });

  describe('session creation per network prefix and per client', () => {
    it('refuses joins from one /24 past 256 at once (then 128 a minute), with the prefix and a wait', () => {
      const server = newServer({ maxPeers: 1000 });
      let ok = 0;
      let refusal: Message | undefined;
      for (let i = 0; i < 300 && refusal === undefined; i++) {
        const from = { address: `198.51.100.${1 + (i % 250)}`, port: 6000 + i };
        const clientId = Buffer.alloc(16, 0);
        clientId.writeUInt32BE(i);
        const welcome = join(server, from, `u${i}`, T0 + i * 10, clientId);
        if (welcome !== undefined) {
          ok++;
          server.receive(encode({ type: 'leave', token: welcome.token }), from, T0 + i * 10);
          drain(server);
        } else {
          server.receive(encode({ ...(hello(clientId, `u${i}`) as object), cookie: server.cookieFor(from, clientId, T0 + i * 10) } as Message), from, T0 + i * 10);
          refusal = drain(server).find((d) => d.m.type === 'error')?.m;
        }
      }
      expect(ok, "256 at once, and 128 a minute while they came").to.be.within(256, 264);
      expect(refusal).to.include({ code: 'UDPCHAT_ERR_TOO_MANY_SESSIONS' });
      expect((refusal as { detail: string }).detail).to.match(/too many joins from this network \(198\.51\.100\.0\/24\): try again in \d+ s/);
      expect(join(server, { address: '198.51.99.1', port: 7000 }, 'elsewhere', T0 + 3000, Buffer.alloc(16, 0xee)), 'another /24').to.not.equal(undefined);
    });

    it('slows a client id that keeps joining and leaving: its JOIN goes unanswered until a token is due', () => {
      const server = newServer();
      const clientId = Buffer.alloc(16, 0x77);
      const from = { address: '192.0.2.77', port: 7777 };
      let t = T0;
      for (let i = 0; i < 6; i++, t += 100) {
        const welcome = join(server, from, 'churn', t, clientId);
        expect(welcome, `join ${i + 1}`).to.not.equal(undefined);
        server.receive(encode({ type: 'leave', token: (welcome as WelcomeMessage).token }), from, t);
        server.flush(t);
        drain(server);
      }
      expect(join(server, from, 'churn', t, clientId), 'the 7th at once').to.equal(undefined);
      expect(server.stats.drops['join-churn']).to.equal(1);
      expect(join(server, from, 'churn', t + 10_000, clientId), 'one more 10 s later (6 a minute)').to.not.equal(undefined);
    });
  });

  describe('COOKIE replies', () => {
    it('sends at most cookieReplies per second, whatever arrives (from many networks)', () => {
      const server = newServer({ cookieReplies: 50 });
      for (let i = 0; i < 1_000; i++) server.receive(encode(hello(Buffer.alloc(16, i % 256), 'x')), { address: `10.${i % 256}.${i >> 8}.7`, port: 1000 + i }, T0);
      expect(drain(server).filter((d) => d.m.type === 'cookie')).to.have.length(50);
      expect(server.stats.drops['cookie-rate']).to.equal(950);
    });

    it('sends one IP at most 20 COOKIEs a second and one /24 at most 200, leaving the server-wide budget to others', () => {
      const server = newServer();
      for (let i = 0; i < 1_000; i++) server.receive(encode(hello(Buffer.alloc(16, i % 256), 'x')), { address: '198.51.100.7', port: 1000 + i }, T0);
      expect(drain(server).filter((d) => d.m.type === 'cookie'), 'one address').to.have.length(20);
      for (let i = 0; i < 1_000; i++) server.receive(encode(hello(Buffer.alloc(16, i % 256), 'x')), { address: `203.0.113.${i % 250}`, port: 1000 + i }, T0);
      expect(drain(server).filter((d) => d.m.type === 'cookie'), 'one /24').to.have.length(200);
      expect(server.stats.drops['cookie-source-rate']).to.equal(980 + 800);
      server.receive(encode(hello(Buffer.alloc(16, 1), 'x')), { address: '192.0.2.50', port: 4000 }, T0);
      expect(drain(server).filter((d) => d.m.type === 'cookie'), 'someone else').to.have.length(1);
      server.receive(encode(hello(Buffer.alloc(16, 1), 'x')), { address: '198.51.100.7', port: 4000 }, T0 + 1000);
      expect(drain(server).filter((d) => d.m.type === 'cookie'), 'a second later').to.have.length(1);
    });

    it('checks at most 4 × cookieReplies made-up cookies per second (two HMACs each)', () => {
      const server = newServer({ cookieReplies: 50 });
      for (let i = 0; i < 1_000; i++) {
        const m = { ...(hello(Buffer.alloc(16, i % 256), 'x') as object), cookie: Buffer.alloc(16, 1 + (i % 255)) } as Message;
        server.receive(encode(m), { address: '198.51.100.8', port: 1000 + i }, T0);
      }
      expect(server.stats.drops['cookie-check-rate']).to.equal(800);
      server.drain();
    });
  });
});
