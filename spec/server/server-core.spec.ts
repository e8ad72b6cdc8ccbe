/**
 * The server core against hostile and odd input (TESTING.md "Hostile input"): every bad datagram
 * is a counted drop, never a crash, never a state change, and never answered with more bytes
 * than it carried.
 */
import { expect } from 'chai';
import { crc32 } from 'node:zlib';
import { decode, encode } from '../../lib/protocol/codec.js';
import type { Message, WelcomeMessage } from '../../lib/protocol/messages.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { type Outgoing, ServerCore } from '../../lib/server/server-core.js';
import type { ServerOptions } from '../../lib/server/server-options.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;

/** Bytes with a correct checksum trailer, so that what is wrong with them is the rest. */
function sealed(bytes: Buffer): Buffer {
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(crc32(bytes));
  return Buffer.concat([bytes, trailer]);
}

function damaged(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] as number) ^ 0x20;
  return copy;
}

function newServer(options: Partial<ServerOptions> = {}): ServerCore {
  return new ServerCore({ ...options, random: seededBytes(7), now: T0 });
}

function sent(server: ServerCore): Array<{ to: PeerAddress[]; m: Message; bytes: number }> {
  return server.drain().datagrams.map((d: Outgoing) => ({
    to: Array.isArray(d.to) ? [...(d.to as PeerAddress[])] : [d.to as PeerAddress],
    m: decode(d.data),
    bytes: d.data.length,
  }));
}

/** Joins through the cookie round trip; returns the session token. */
function join(server: ServerCore, from: PeerAddress, nick: string, now = T0, clientId = Buffer.alloc(16, nick.length)): Buffer {
  const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick };
  server.receive(encode(hello), from, now);
  const cookie = sent(server).find((s) => s.m.type === 'cookie');
  if (cookie?.m.type !== 'cookie') throw new Error('no cookie');
  server.receive(encode({ ...hello, cookie: cookie.m.cookie }), from, now);
  server.flush(now);
  const welcome = sent(server).find((s) => s.m.type === 'welcome');
  if (welcome === undefined) throw new Error('no welcome');
  return (welcome.m as WelcomeMessage).token;
}

const ann: PeerAddress = { address: '192.0.2.1', port: 5001 };
const bob: PeerAddress = { address: '192.0.2.2', port: 5002 };
const eve: PeerAddress = { address: '198.51.100.9', port: 6666 };

describe('ServerCore', () => {
  describe('#receive with malformed datagrams', () => {
    const cases: Array<[string, Buffer, string]> = [
      ['empty', Buffer.alloc(0), 'UDPCHAT_ERR_TRUNCATED'],
      ['truncated header', Buffer.from([0x55, 0x43, 0x01]), 'UDPCHAT_ERR_TRUNCATED'],
      ['wrong magic', Buffer.from('GET / HTTP/1.1\r\n'), 'UDPCHAT_ERR_BAD_MAGIC'],
      ['wrong version', sealed(Buffer.from([0x55, 0x43, 0x02, 0x01, 0, 0])), 'UDPCHAT_ERR_BAD_VERSION'],
      ['unknown type', sealed(Buffer.from([0x55, 0x43, 0x01, 0x42])), 'UDPCHAT_ERR_UNKNOWN_TYPE'],
      ['lying length', sealed(Buffer.concat([Buffer.from([0x55, 0x43, 0x01, 0x02]), Buffer.alloc(16), Buffer.from([0, 0, 0, 1, 0, 0xff, 0xff])])), 'UDPCHAT_ERR_TRUNCATED'],
      ['a damaged SAY (one bit flipped in the text)', damaged(encode({ type: 'say', token: Buffer.alloc(16), cseq: 1, target: 0, text: 'hello' }), 28), 'UDPCHAT_ERR_BAD_CHECKSUM'],
      ['a damaged JOIN (one bit flipped in the client id)', damaged(encode({ type: 'join', cookie: Buffer.alloc(16), clientId: Buffer.alloc(16, 1), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'x' }), 25), 'UDPCHAT_ERR_BAD_CHECKSUM'],
      ['1201 bytes', Buffer.alloc(1201, 0x55), 'UDPCHAT_ERR_OVERSIZE'],
      ['65507 bytes', Buffer.alloc(65507, 0x55), 'UDPCHAT_ERR_OVERSIZE'],
    ];
    for (const [name, bytes, code] of cases) {
      it(`drops ${name} without answering or changing state`, () => {
        const server = newServer();
        join(server, ann, 'ann');
        const before = server.log.lastSeq;
        server.receive(bytes, eve, T0 + 1);
        server.tick(T0 + 2);
        expect(sent(server)).to.be.empty;
        expect(server.stats.drops[code]).to.equal(1);
        expect(server.log.lastSeq).to.equal(before);
        expect(server.sessions.size).to.equal(1);
      });
    }

    it('never answers datagrams of server-to-client types (no reflection loops)', () => {
      const server = newServer();
      const token = join(server, ann, 'ann');
      for (const m of [
        { type: 'ack', token, cseq: 1 },
        { type: 'bye', token, reason: 'quit' },
        { type: 'sync', lastSeq: 9 },
        { type: 'pong', lastSeq: 1, echo: 1 },
        { type: 'cookie', clientId: Buffer.alloc(16), cookie: Buffer.alloc(16) },
        { type: 'error', ref: token, code: 'UDPCHAT_ERR_UNKNOWN_SESSION', arg: 0, detail: '' },
      ] as Message[]) {
        server.receive(encode(m), ann, T0 + 1);
        server.receive(encode(m), eve, T0 + 1);
      }
      server.flush(T0 + 1);
      expect(sent(server)).to.be.empty;
    });

    it('drops a WELCOME sent to it without refreshing or confirming the session', () => {
      const server = newServer();
      const token = join(server, ann, 'ann');
      const welcome = encode({ type: 'welcome', clientId: Buffer.alloc(16, 3), token, instance: Buffer.alloc(8), historyFrom: 1, baseSeq: 0, ackedCseq: 0, heartbeatMs: 5000, idleTimeoutMs: 30000, maxText: 1000, caps: 0, nick: 'ann' });
      server.receive(welcome, ann, T0 + 20_000);
      expect(server.stats.drops['wrong-direction']).to.equal(1);
      expect([...server.sessions.all()][0]?.lastHeard).to.equal(T0);
      server.tick(T0 + 31_500);
      expect(server.sessions.size, 'still silent: evicted').to.equal(0);
    });

    it('never sends to source port 0', () => {
      const server = newServer();
      const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId: Buffer.alloc(16), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'x' };
      server.receive(encode(hello), { address: '192.0.2.7', port: 0 }, T0);
      expect(sent(server)).to.be.empty;
      expect(server.stats.drops['port-zero']).to.equal(1);
    });
  });

  describe('#receive JOIN', () => {
    it('answers a cookie-less JOIN with one COOKIE smaller than the JOIN and keeps no session', () => {
      const server = newServer();
      const request = encode({ type: 'join', cookie: Buffer.alloc(16), clientId: Buffer.alloc(16, 1), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'v' });
      server.receive(request, eve, T0);
      const out = sent(server);
      expect(out).to.have.length(1);
      expect(out[0]?.m.type).to.equal('cookie');
      expect(out[0]?.bytes).to.be.lessThan(request.length);
      expect(server.sessions.size).to.equal(0);
    });

    it('refuses a cookie made for another address (spoofed JOIN from a victim)', () => {
      const server = newServer();
      const cookie = server.cookieFor(eve, Buffer.alloc(16, 2), T0);
      server.receive(encode({ type: 'join', cookie, clientId: Buffer.alloc(16, 2), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'v' }), ann, T0);
      const out = sent(server);
      expect(out.map((o) => o.m.type)).to.deep.equal(['cookie']);
      expect(server.sessions.size).to.equal(0);
    });

    it('refuses an expired cookie with a fresh COOKIE', () => {
      const server = newServer();
      const cookie = server.cookieFor(ann, Buffer.alloc(16, 2), T0);
      server.receive(encode({ type: 'join', cookie, clientId: Buffer.alloc(16, 2), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'ann' }), ann, T0 + 25_000);
      expect(sent(server).map((o) => o.m.type)).to.deep.equal(['cookie']);
      expect(server.sessions.size).to.equal(0);
    });

    it('answers a retried JOIN with the same WELCOME and does not create a second session', () => {
      const server = newServer();
      const clientId = Buffer.alloc(16, 9);
      const token = join(server, ann, 'ann', T0, clientId);
      const cookie = server.cookieFor(ann, clientId, T0);
      server.receive(encode({ type: 'join', cookie, clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'ann' }), ann, T0 + 10);
      const out = sent(server);
      expect(out.map((o) => o.m.type)).to.deep.equal(['welcome']);
      expect((out[0]?.m as WelcomeMessage).token.equals(token)).to.equal(true);
      expect(server.sessions.size).to.equal(1);
    });

    it('does not let a replayed cookie create a session after the first one ended', () => {
      const server = newServer();
      const clientId = Buffer.alloc(16, 3);
      const cookie = server.cookieFor(ann, clientId, T0);
      const joinMsg = encode({ type: 'join', cookie, clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'ann' });
      server.receive(joinMsg, ann, T0);
      const token = (sent(server).find((o) => o.m.type === 'welcome')?.m as WelcomeMessage).token;
      server.receive(encode({ type: 'leave', token }), ann, T0 + 1);
      sent(server);
      server.receive(joinMsg, ann, T0 + 2);
      expect(sent(server)).to.be.empty;
      expect(server.sessions.size).to.equal(0);
      expect(server.stats.drops['cookie-replay']).to.equal(1);
    });

    it('lets a client that quit join again at once from the same address and port (a fresh cookie)', () => {
      const server = newServer();
      const clientId = Buffer.alloc(16, 5);
      const token = join(server, ann, 'ann', T0, clientId);
      server.receive(encode({ type: 'leave', token }), ann, T0 + 100);
      sent(server);
      // Same second, same 10 s cookie bucket: the hello gets a new cookie, which is not used yet.
      const again = join(server, ann, 'ann', T0 + 200, clientId);
      expect(again.equals(token)).to.equal(false);
      expect(server.sessions.size).to.equal(1);
    });

    it('lets a new process that reuses the port of one that quit join at once', () => {
      const server = newServer();
      const token = join(server, ann, 'ann', T0, Buffer.alloc(16, 6));
      server.receive(encode({ type: 'leave', token }), ann, T0 + 100);
      sent(server);
      join(server, ann, 'ann2', T0 + 200, Buffer.alloc(16, 7));
      expect([...server.sessions.all()].map((s) => s.nick)).to.deep.equal(['ann2']);
    });

    it('refuses a cookie made for another client id with a fresh COOKIE', () => {
      const server = newServer();
      const cookie = server.cookieFor(ann, Buffer.alloc(16, 8), T0);
      server.receive(encode({ type: 'join', cookie, clientId: Buffer.alloc(16, 9), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'ann' }), ann, T0);
      expect(sent(server).map((o) => o.m.type)).to.deep.equal(['cookie']);
      expect(server.sessions.size).to.equal(0);
    });

    it('counts cookie-less JOINs as answered, not as dropped datagrams', () => {
      const server = newServer();
      join(server, ann, 'ann');
      expect(server.stats.cookies).to.equal(1);
      expect(server.stats.drops).to.deep.equal({});
    });

    it('accepts each message once when a client moves address while the flood limit holds some', () => {
      const server = newServer({ rate: 1, burst: 1 });
      const clientId = Buffer.alloc(16, 21);
      const oldToken = join(server, ann, 'ann', T0, clientId);
      for (const cseq of [1, 2, 3]) server.receive(encode({ type: 'say', token: oldToken, cseq, target: 0, text: `m${cseq}` }), ann, T0 + 1);
      expect(server.stats.accepted).to.equal(1);
      // The same client from a new port takes its nick over, then resends what was not acknowledged.
      const moved = { address: ann.address, port: ann.port + 1 };
      const newToken = join(server, moved, 'ann', T0 + 2, clientId);
      for (const cseq of [2, 3]) server.receive(encode({ type: 'say', token: newToken, cseq, target: 0, text: `m${cseq}` }), moved, T0 + 3);
      for (let t = 1_000; t <= 5_000; t += 500) server.tick(T0 + t);
      expect(server.stats.accepted).to.equal(3);
    });

    it('refuses look-alike nicknames: case, fullwidth, Cyrillic letters', () => {
      const server = newServer();
      join(server, ann, 'bob');
      for (const [i, nick] of ['BOB', 'ｂｏｂ', 'Ьоb'.replace('Ь', 'b'), 'bоb'].entries()) {
        const from = { address: '192.0.2.50', port: 7000 + i };
        const cookie = server.cookieFor(from, Buffer.alloc(16, 40 + i), T0);
        server.receive(encode({ type: 'join', cookie, clientId: Buffer.alloc(16, 40 + i), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick }), from, T0);
        const out = sent(server);
        expect(out.map((o) => o.m.type), nick).to.deep.equal(['error']);
        expect(out[0]?.m).to.include({ code: 'UDPCHAT_ERR_NICK_TAKEN' });
      }
      expect(server.sessions.size).to.equal(1);
    });

    it('refuses joins past the peer cap and past the per-address cap with a small ERROR', () => {
      const server = newServer({ maxPeers: 3, sessionsPerIp: 2 });
      join(server, { address: '192.0.2.1', port: 1 }, 'a1');
      join(server, { address: '192.0.2.1', port: 2 }, 'a22');
      const third = { address: '192.0.2.1', port: 3 };
      server.receive(encode({ type: 'join', cookie: server.cookieFor(third, Buffer.alloc(16, 77), T0), clientId: Buffer.alloc(16, 77), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'a3' }), third, T0);
      expect(sent(server)[0]?.m).to.include({ code: 'UDPCHAT_ERR_TOO_MANY_SESSIONS' });
      join(server, { address: '192.0.2.2', port: 1 }, 'b111');
      const fourth = { address: '192.0.2.3', port: 1 };
      server.receive(encode({ type: 'join', cookie: server.cookieFor(fourth, Buffer.alloc(16, 78), T0), clientId: Buffer.alloc(16, 78), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'c1' }), fourth, T0);
      expect(sent(server)[0]?.m).to.include({ code: 'UDPCHAT_ERR_SERVER_FULL' });
      expect(server.sessions.size).to.equal(3);
    });
  });

  describe('#tick', () => {
    it('frees the nickname of a session whose client never used its token within 10 s', () => {
      const server = newServer();
      join(server, ann, 'ann');
      const bobToken = join(server, bob, 'bob');
      server.receive(encode({ type: 'ping', token: bobToken, delivered: 0, echo: 1 }), bob, T0 + 500);
      server.tick(T0 + 9_000);
      expect(server.sessions.size).to.equal(2);
      server.tick(T0 + 11_500);
      expect([...server.sessions.all()].map((s) => s.nick)).to.deep.equal(['bob']);
      expect(server.drain().events).to.deep.include({ type: 'leave', nick: 'ann', address: ann, reason: 'timeout' });
    });

    it('lets the client of an unconfirmed session that was ended join again with the same cookie', () => {
      const server = newServer();
      const clientId = Buffer.alloc(16, 4);
      const joinMsg = encode({ type: 'join', cookie: server.cookieFor(ann, clientId, T0), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'ann' });
      server.receive(joinMsg, ann, T0);
      server.tick(T0 + 11_500);
      expect(server.sessions.size).to.equal(0);
      sent(server);
      server.receive(joinMsg, ann, T0 + 11_600);
      expect(sent(server).map((o) => o.m.type)).to.include('welcome');
      expect(server.sessions.size).to.equal(1);
    });

    it('evicts a session silent past the idle timeout and tells it with BYE', () => {
      const server = newServer({ idleTimeoutMs: 30_000 });
      const token = join(server, ann, 'ann');
      server.receive(encode({ type: 'ping', token, delivered: 0, echo: 1 }), ann, T0 + 1);
      sent(server);
      server.tick(T0 + 29_000);
      expect(server.sessions.size).to.equal(1);
      server.tick(T0 + 31_500);
      expect(server.sessions.size).to.equal(0);
      expect(sent(server).some((o) => o.m.type === 'bye' && o.m.reason === 'timeout')).to.equal(true);
    });
  });

  describe('#receive from a joined address', () => {
    it('drops a datagram with a wrong token and leaves the member alone', () => {
      const server = newServer();
      const token = join(server, ann, 'ann');
      const forged = Buffer.from(token);
      forged[0] = (forged[0] as number) ^ 1;
      server.receive(encode({ type: 'leave', token: forged }), ann, T0 + 1);
      server.receive(encode({ type: 'say', token: forged, cseq: 1, target: 0, text: 'forged' }), ann, T0 + 1);
      server.flush(T0 + 1);
      expect(sent(server)).to.be.empty;
      expect(server.stats.drops['bad-token']).to.equal(2);
      expect(server.sessions.size).to.equal(1);
    });

    it('stamps the sender from the session, whatever the text claims', () => {
      const server = newServer();
      const token = join(server, ann, 'ann');
      server.receive(encode({ type: 'say', token, cseq: 1, target: 0, text: 'bob: I am bob' }), ann, T0 + 1);
      server.flush(T0 + 1);
      const data = sent(server).find((o) => o.m.type === 'data')?.m;
      expect(data?.type === 'data' && data.entries.at(-1)).to.include({ nick: 'ann', text: 'bob: I am bob' });
    });

    it('accepts a replayed SAY only once and acknowledges it again', () => {
      const server = newServer();
      const token = join(server, ann, 'ann');
      const say = encode({ type: 'say', token, cseq: 1, target: 0, text: 'once' });
      for (let i = 0; i < 5; i++) server.receive(say, ann, T0 + i);
      server.flush(T0 + 5);
      expect(server.stats.accepted).to.equal(1);
      const acks = sent(server).filter((o) => o.m.type === 'ack');
      expect(acks).to.have.length(1);
      expect(acks[0]?.m).to.include({ cseq: 1 });
    });

    it('refuses an over-long text with TEXT_TOO_LONG naming its cseq and keeps going', () => {
      const server = newServer({ maxText: 10 });
      const token = join(server, ann, 'ann');
      server.receive(encode({ type: 'say', token, cseq: 1, target: 0, text: 'x'.repeat(11) }), ann, T0 + 1);
      server.receive(encode({ type: 'say', token, cseq: 2, target: 0, text: 'short' }), ann, T0 + 1);
      server.flush(T0 + 1);
      const out = sent(server);
      expect(out.find((o) => o.m.type === 'error')?.m).to.include({ code: 'UDPCHAT_ERR_TEXT_TOO_LONG', arg: 1 });
      expect(out.find((o) => o.m.type === 'ack')?.m).to.include({ cseq: 2 });
      expect(server.stats.accepted).to.equal(1);
    });

    it('answers an unknown token with UNKNOWN_SESSION no larger than the request, at a bounded rate', () => {
      const server = newServer({ unknownSessionReplies: 10 });
      const request = encode({ type: 'ping', token: Buffer.alloc(16, 5), delivered: 0, echo: 0 });
      for (let i = 0; i < 1000; i++) server.receive(request, eve, T0);
      const out = sent(server);
      expect(out).to.have.length(10);
      for (const o of out) {
        expect(o.m).to.include({ code: 'UDPCHAT_ERR_UNKNOWN_SESSION' });
        expect(o.bytes).to.be.at.most(request.length);
      }
      const leave = encode({ type: 'leave', token: Buffer.alloc(16, 5) });
      server.receive(leave, bob, T0 + 5_000);
      expect(sent(server), 'a LEAVE is smaller than the reply would be').to.be.empty;
    });

    it('cuts off a source flooding 20,000 datagrams and keeps serving the others', () => {
      const server = newServer();
      const annToken = join(server, ann, 'ann');
      const bobToken = join(server, bob, 'bob');
      sent(server);
      const ping = encode({ type: 'ping', token: bobToken, delivered: 0, echo: 0 });
      for (let i = 0; i < 20_000; i++) server.receive(ping, bob, T0 + 1 + Math.floor(i / 20));
      server.receive(encode({ type: 'say', token: annToken, cseq: 1, target: 0, text: 'still here' }), ann, T0 + 1_001);
      server.flush(T0 + 1_001);
      expect(server.sessions.size).to.equal(1);
      const out = sent(server);
      expect(out.some((o) => o.m.type === 'bye' && o.m.reason === 'flooding')).to.equal(true);
      // Burst 4000 plus 2000/s over the second it lasted: the rest was never answered.
      expect(out.filter((o) => o.m.type === 'pong').length).to.be.lessThan(6_100);
      expect(server.stats.accepted).to.equal(1);
    });
  });
});
