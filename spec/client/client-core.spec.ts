/**
 * The client core against a scripted server: the defects found in review (issue 8) and the phase
 * machine's guarantees. Datagrams are built with the codec; time is an argument.
 */
import { expect } from 'chai';
import { ClientCore } from '../../lib/client/client-core.js';
import { WAKE_GRACE_MS } from '../../lib/client/liveness.js';
import { PhaseMachine, TRANSITIONS, type Phase } from '../../lib/client/phase.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { decode, encode } from '../../lib/protocol/codec.js';
import { DEFAULTS } from '../../lib/protocol/constants.js';
import type { ClientMessage, Entry, ServerMessage } from '../../lib/protocol/messages.js';

const T0 = 1_700_000_000_000;
const CLIENT_ID = Buffer.alloc(16, 0xc1);
const TOKEN = Buffer.alloc(16, 0x70);
const INSTANCE = Buffer.alloc(8, 0x15);

function sent(core: ClientCore): { messages: ClientMessage[]; events: ClientEvent[] } {
  const { datagrams, events } = core.drain();
  return { messages: datagrams.map((d) => decode(d) as ClientMessage), events };
}

function deliver(core: ClientCore, m: ServerMessage, now: number): void {
  core.receive(encode(m), now);
}

/** A client joined through COOKIE and WELCOME at T0. */
function online(): ClientCore {
  const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
  core.join(T0);
  deliver(core, { type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }, T0 + 1);
  deliver(core, {
    type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 1, baseSeq: 0, ackedCseq: 0,
    heartbeatMs: 5_000, idleTimeoutMs: 30_000, maxText: 1000, caps: 0, nick: 'ann',
  }, T0 + 2);
  sent(core);
  return core;
}

/** Ticks every second from `from` to `to`, as a running client's timer does while nothing is heard. */
function silence(core: ClientCore, from: number, to: number): void {
  for (let t = from; t <= to; t += 1_000) core.tick(t);
}

describe('ClientCore', () => {
  describe('#leave', () => {
    for (const [what, reply] of [
      ['UNKNOWN_SESSION', { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_UNKNOWN_SESSION', arg: 0, detail: '' }],
      ['BYE(timeout)', { type: 'bye', token: TOKEN, reason: 'timeout' }],
      ['BYE(shutdown)', { type: 'bye', token: TOKEN, reason: 'shutdown' }],
    ] as Array<[string, ServerMessage]>) {
      it(`closes, without joining again, when the server answers a LEAVE with ${what}`, () => {
        const core = online();
        core.leave(T0 + 10);
        expect(sent(core).messages.map((m) => m.type)).to.deep.equal(['leave']);
        deliver(core, reply, T0 + 20);
        const after = sent(core);
        expect(after.messages, 'no JOIN after leaving').to.be.empty;
        expect(after.events).to.deep.include({ type: 'closed', reason: 'left', left: true });
        expect(core.state).to.equal('closed');
        expect(core.nextDeadline(), 'no timer left').to.equal(Infinity);
      });
    }
  });

  describe('#receive BYE(replaced)', () => {
    it('closes for good, saying why, when its user key joined from another client (no rejoin, no timer)', () => {
      const core = online();
      deliver(core, { type: 'bye', token: TOKEN, reason: 'replaced' }, T0 + 20);
      const after = sent(core);
      expect(after.events).to.deep.include({ type: 'closed', reason: 'your user key joined again from another udp-chat, which now has this session', left: false });
      core.tick(T0 + 120_000);
      expect(sent(core).messages, 'no JOIN, ever').to.be.empty;
      expect(core.state).to.equal('closed');
      expect(core.nextDeadline()).to.equal(Infinity);
    });

    it('ignores a BYE(replaced) with another token', () => {
      const core = online();
      deliver(core, { type: 'bye', token: Buffer.alloc(16, 1), reason: 'replaced' }, T0 + 20);
      expect(core.state).to.equal('online');
    });
  });

  describe('#receive ACK', () => {
    it('keeps accepting ACKs after the last message sent was refused', () => {
      const core = online();
      core.say('one', T0 + 10);
      core.say('x'.repeat(10), T0 + 10);
      expect(sent(core).messages.map((m) => (m.type === 'say' ? m.cseq : 0))).to.deep.equal([1, 2]);
      // The server refuses cseq 2 (say, too long) before acknowledging 1 and 2 together.
      deliver(core, { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_TEXT_TOO_LONG', arg: 2, detail: '' }, T0 + 20);
      deliver(core, { type: 'ack', token: TOKEN, cseq: 2 }, T0 + 21);
      expect(core.sender.outbox.size, 'cseq 1 acknowledged').to.equal(0);
      // Nothing is left to retransmit, however long we wait.
      core.tick(T0 + 5_000);
      expect(sent(core).messages.filter((m) => m.type === 'say')).to.be.empty;
    });

    it('ignores an ACK for more than was ever sent', () => {
      const core = online();
      core.say('one', T0 + 10);
      sent(core);
      deliver(core, { type: 'ack', token: TOKEN, cseq: 5 }, T0 + 20);
      expect(core.sender.outbox.size).to.equal(1);
    });
  });

  describe('#state', () => {
    it('is idle before join(), failed after a refusal, and never "joining" for either', () => {
      const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
      expect(core.state).to.equal('idle');
      core.join(T0);
      expect(core.state).to.equal('joining');
      deliver(core, { type: 'error', ref: CLIENT_ID, code: 'UDPCHAT_ERR_NICK_TAKEN', arg: 0, detail: '' }, T0 + 5);
      expect(core.state).to.equal('failed');
      expect(core.nextDeadline()).to.equal(Infinity);
    });

    it('gives the first join a deadline for a countdown, and none once online', () => {
      const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID, joinTimeoutMs: 4_000 });
      core.join(T0);
      expect(core.joinDeadline).to.equal(T0 + 4_000);
      deliver(core, { type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }, T0 + 100);
      expect(core.joinDeadline, 'a COOKIE restarts the bound').to.equal(T0 + 4_100);
      expect(online().joinDeadline).to.equal(undefined);
    });
  });

  describe('#tick: PINGs while entries arrive and messages go out (activity PING and heartbeat, docs/protocol.md §6.2.6)', () => {
    const data = (seq: number, now: number): ServerMessage => ({ type: 'data', entries: [{ kind: 'msg', seq, time: now, nick: 'bob', target: 0, text: `m${seq}` }] });
    /** Online with its member list (else it asks WHO every 2 × RTO, and that is sending too). */
    const joined = (): ClientCore => {
      const core = online();
      deliver(core, { type: 'roster', asOfSeq: 0, page: 0, pages: 1, nicks: ['ann', 'bob'] }, T0 + 3);
      sent(core);
      return core;
    };

    it('sends a PING right after the WELCOME, so a client that only receives confirms its session at once (the server ends unconfirmed ones after 10 s, §6.1.7)', () => {
      // As a real shell does, what each step queued goes before the next datagram is read (the JOINs
      // before the WELCOME, or they would count as sent while online); as a real server does, the
      // member list follows the WELCOME at once, so no WHO goes either.
      const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
      core.join(T0);
      sent(core);
      deliver(core, { type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }, T0 + 1);
      sent(core);
      deliver(core, {
        type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 1, baseSeq: 0, ackedCseq: 0,
        heartbeatMs: 5_000, idleTimeoutMs: 30_000, maxText: 1000, caps: 0, nick: 'ann',
      }, T0 + 2);
      deliver(core, { type: 'roster', asOfSeq: 0, page: 0, pages: 1, nicks: ['ann', 'bob'] }, T0 + 3);
      const types = sent(core).messages.filter((m) => 'token' in m).map((m) => m.type);
      let seq = 0;
      for (let t = T0 + 100; t <= T0 + 1_000; t += 100) {
        for (let d = core.nextDeadline(); d < t; d = core.nextDeadline()) {
          core.tick(d);
          for (const m of sent(core).messages) if ('token' in m) types.push(m.type);
        }
        deliver(core, data(++seq, t), t);
        core.tick(t);
        for (const m of sent(core).messages) if ('token' in m) types.push(m.type);
      }
      expect(types).to.include('ping');
    });

    it('sends no PING while entries keep coming faster than activityPingMs, and one activityPingMs after the last', () => {
      const core = joined();
      const pings: number[] = [];
      const run = (now: number): void => {
        core.tick(now);
        for (const m of sent(core).messages) if (m.type === 'ping') pings.push(now);
      };
      // An entry every 100 ms for 4 s (less than heartbeatMs, 5 s), ticking whenever the core asks.
      let seq = 0;
      for (let t = T0 + 100; t <= T0 + 4_000; t += 100) {
        for (let d = core.nextDeadline(); d < t; d = core.nextDeadline()) run(d);
        deliver(core, data(++seq, t), t);
        run(t);
      }
      expect(pings, 'none while the entries came').to.deep.equal([]);
      for (let d = core.nextDeadline(); d <= T0 + 5_000; d = core.nextDeadline()) run(d);
      expect(pings, 'one, activityPingMs after the last entry').to.deep.equal([T0 + 4_000 + DEFAULTS.activityPingMs]);
    });

    it('still sends its heartbeat every heartbeatMs while entries keep coming', () => {
      const core = joined();
      const pings: number[] = [];
      let seq = 0;
      for (let t = T0 + 100; t <= T0 + 12_000; t += 100) {
        deliver(core, data(++seq, t), t);
        core.tick(t);
        for (const m of sent(core).messages) if (m.type === 'ping') pings.push(t);
      }
      // WELCOME at T0 + 2 with heartbeatMs 5 s: due at T0 + 5,002 and 10,002 (seen at the next tick).
      expect(pings).to.deep.equal([T0 + 5_100, T0 + 10_100]);
    });

    it('sends no heartbeat while it sends the server something at least every heartbeatMs, and one heartbeatMs after it last did', () => {
      const core = joined();
      const pings: number[] = [];
      for (let t = T0 + 100; t <= T0 + 16_000; t += 100) {
        if (t === T0 + 3_000 || t === T0 + 6_000 || t === T0 + 9_000) {
          core.say(`at ${t - T0}`, t);
          expect(sent(core).messages.map((m) => m.type)).to.deep.equal(['say']);
          deliver(core, { type: 'ack', token: TOKEN, cseq: (t - T0) / 3_000 }, t + 1);
        }
        core.tick(t);
        for (const m of sent(core).messages) if (m.type === 'ping') pings.push(t);
      }
      expect(pings).to.deep.equal([T0 + 14_000]);
    });

    it('pings every second once nothing is heard, even while it retransmits a message', () => {
      const core = joined();
      core.say('into the void', T0 + 10);
      sent(core);
      const pings: number[] = [];
      for (let t = T0 + 100; t <= T0 + 20_000; t += 100) {
        core.tick(t);
        for (const m of sent(core).messages) if (m.type === 'ping') pings.push(t);
      }
      // Stalled from 2 × heartbeatMs + 1 s after the ROSTER (T0 + 3): 11,003. The retransmissions
      // are sent all along, but a client that hears nothing pings every second all the same.
      const stalled = pings.filter((t) => t > T0 + 11_003);
      expect(stalled[0]).to.be.at.most(T0 + 11_003 + 5_000);
      expect(stalled.slice(1).map((t, i) => t - (stalled[i] as number))).to.deep.equal(Array<number>(stalled.length - 1).fill(1_000));
      expect(stalled.length).to.be.at.least(4);
    });
  });

  describe('#tick after this process was suspended (SIGSTOP, a sleeping machine)', () => {
    const data = (seq: number, now: number): ServerMessage => ({ type: 'data', entries: [{ kind: 'msg', seq, time: now, nick: 'bob', target: 0, text: `m${seq}` }] });
    const states = (events: ClientEvent[]): string[] => events.flatMap((e) => (e.type === 'state' ? [e.state] : []));

    it('does not judge the silence of its own suspension: it pings at once, and what the server sent meanwhile keeps it online', () => {
      const core = online();
      deliver(core, data(1, T0 + 100), T0 + 100);
      sent(core);
      // Stopped for 60 s (past the 30 s idle timeout): the first thing to run is the timer.
      core.tick(T0 + 60_000);
      const woke = sent(core);
      expect(woke.messages.map((m) => m.type), 'a PING now, no JOIN').to.include('ping').and.not.include('join');
      expect(states(woke.events), 'not "reconnecting"').to.be.empty;
      expect(woke.events.filter((e) => e.type === 'notice')).to.be.empty;
      expect(core.state).to.equal('online');
      expect(core.nextDeadline(), 'pings again within a second').to.be.at.most(T0 + 61_000);
      // Then the socket is read: the server was there all along.
      deliver(core, data(2, T0 + 30_000), T0 + 60_001);
      core.tick(T0 + 60_000 + WAKE_GRACE_MS);
      const after = sent(core);
      expect(states(after.events)).to.be.empty;
      expect(after.messages.map((m) => m.type)).to.not.include('join');
      expect(core.state).to.equal('online');
    });

    it('after the grace, judges the silence as before: a server gone for longer than the idle timeout means a rejoin', () => {
      const core = online();
      core.tick(T0 + 60_000);
      sent(core);
      core.tick(T0 + 60_000 + WAKE_GRACE_MS - 1);
      expect(sent(core).messages.map((m) => m.type)).to.not.include('join');
      core.tick(T0 + 60_000 + WAKE_GRACE_MS);
      const { messages, events } = sent(core);
      expect(messages.map((m) => m.type)).to.include('join');
      expect(events.filter((e) => e.type === 'notice' && e.lost === true)).to.have.length(1);
    });

    it('after the grace, a shorter silence shows "reconnecting" (stalled) and keeps pinging every second', () => {
      const core = online();
      core.tick(T0 + 15_000);
      expect(core.state, 'in the grace').to.equal('online');
      sent(core);
      core.tick(T0 + 15_000 + WAKE_GRACE_MS);
      const { messages, events } = sent(core);
      expect(states(events)).to.deep.equal(['reconnecting']);
      expect(messages.map((m) => m.type)).to.include('ping');
      expect(core.nextDeadline()).to.be.at.most(T0 + 15_000 + WAKE_GRACE_MS + 1_000);
    });

    it('still notices a silence when its timer fires on time (no suspension)', () => {
      const core = online();
      const seen: string[] = [];
      for (let t = T0 + 1_000; t <= T0 + 12_000; t += 1_000) {
        core.tick(t);
        seen.push(...states(sent(core).events));
      }
      expect(seen, 'silent for 2 × 5 s + 1 s').to.deep.equal(['reconnecting']);
    });
  });

  describe('#portUnreachable', () => {
    it('fails a first join at once', () => {
      const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
      core.join(T0);
      sent(core);
      core.portUnreachable(T0 + 3);
      const { events } = sent(core);
      expect(events.find((e) => e.type === 'join-failed')).to.include({ code: 'UDPCHAT_ERR_SERVER_UNREACHABLE', portUnreachable: true });
      expect(core.state).to.equal('failed');
    });

    it('changes nothing once the session has been online (the server may be restarting)', () => {
      const core = online();
      core.portUnreachable(T0 + 3);
      expect(core.state).to.equal('online');
      expect(sent(core).events).to.be.empty;
    });
  });

  describe('#say', () => {
    it('announces every part it queues, in order', () => {
      const core = online();
      core.say('a'.repeat(1500), T0 + 5);
      const parts = sent(core).events.filter((e) => e.type === 'sending');
      expect(parts.map((e) => (e.type === 'sending' ? e.text.length : 0))).to.deep.equal([1000, 500]);
    });
  });
});

describe('ClientCore after a rejoin (issue 8: timestamps ran backwards)', () => {
  const msg = (seq: number, time: number, nick: string, text: string): Entry => ({ kind: 'msg', seq, time, nick, target: 0, text });

  it('marks the entries stored while it was away as missed, and what comes after as live', () => {
    const core = online();
    deliver(core, { type: 'data', entries: [msg(1, T0 + 100, 'bob', 'before')] }, T0 + 100);
    sent(core);
    // The server goes silent; the client, its timer firing every second, gives up on it and rejoins (resume: same instance).
    silence(core, T0 + 1_000, T0 + 60_000);
    expect(sent(core).messages.map((m) => m.type)).to.include('join');
    deliver(core, { type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }, T0 + 61_000);
    deliver(core, {
      type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 2, baseSeq: 3, ackedCseq: 0,
      heartbeatMs: 5_000, idleTimeoutMs: 30_000, maxText: 1000, caps: 0, nick: 'ann',
    }, T0 + 61_001);
    // What the server stored meanwhile arrives after the WELCOME, with the times it was said at.
    deliver(core, { type: 'data', entries: [msg(2, T0 + 20_000, 'bob', 'while away'), { kind: 'leave', seq: 3, time: T0 + 30_000, nick: 'cat', reason: 'quit' }] }, T0 + 61_002);
    deliver(core, { type: 'data', entries: [msg(4, T0 + 61_003, 'bob', 'now')] }, T0 + 61_003);
    const events = sent(core).events.filter((e) => e.type === 'message' || e.type === 'presence' || e.type === 'joined');
    expect(events.map((e) => [e.type, 'missed' in e ? e.missed : undefined])).to.deep.equal([
      ['joined', undefined],
      ['message', true],
      ['presence', true],
      ['message', undefined],
    ]);
  });

  it('marks nothing as missed on a first join or after a restart without the room (that is history)', () => {
    const core = online();
    deliver(core, { type: 'data', entries: [msg(1, T0 + 100, 'bob', 'first')] }, T0 + 100);
    const first = sent(core).events.find((e) => e.type === 'message');
    expect(first).to.not.have.property('missed');
    silence(core, T0 + 1_000, T0 + 60_000);
    deliver(core, { type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) }, T0 + 61_000);
    deliver(core, {
      type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: Buffer.alloc(8, 0x16), historyFrom: 1, baseSeq: 1, ackedCseq: 0,
      heartbeatMs: 5_000, idleTimeoutMs: 30_000, maxText: 1000, caps: 0, nick: 'ann',
    }, T0 + 61_001);
    deliver(core, { type: 'data', entries: [msg(1, T0 + 50_000, 'bob', 'replayed')] }, T0 + 61_002);
    const replayed = sent(core).events.find((e) => e.type === 'message');
    expect(replayed).to.include({ history: true }).and.not.have.property('missed');
  });
});

describe('PhaseMachine', () => {
  it('refuses every change the transition table does not list', () => {
    const phases = Object.keys(TRANSITIONS) as Phase[];
    for (const from of phases) {
      for (const to of phases) {
        const machine = new PhaseMachine();
        // Walk to `from` along legal changes.
        const path: Record<Phase, Phase[]> = {
          idle: [], hello: ['hello'], joining: ['hello', 'joining'], online: ['hello', 'online'],
          leaving: ['hello', 'online', 'leaving'], failed: ['hello', 'failed'], closed: ['closed'],
        };
        for (const step of path[from]) machine.set(step);
        const legal = TRANSITIONS[from].includes(to);
        if (legal) machine.set(to);
        else expect(() => machine.set(to), `${from} → ${to}`).to.throw(/illegal phase change/);
      }
    }
  });
});

describe('ClientCore against a hostile server', () => {
  const welcome = (over: Record<string, number>): ServerMessage => ({
    type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 1, baseSeq: 0, ackedCseq: 0,
    heartbeatMs: 5_000, idleTimeoutMs: 30_000, maxText: 1000, caps: 0, nick: 'ann', ...over,
  });
  for (const [what, over] of [
    ['a 1 ms heartbeat', { heartbeatMs: 1 }],
    ['a 1 ms idle timeout', { idleTimeoutMs: 1 }],
    ['an idle timeout below the heartbeat', { heartbeatMs: 5_000, idleTimeoutMs: 4_000 }],
    ['a text limit of 3 bytes', { maxText: 3 }],
  ] as Array<[string, Record<string, number>]>) {
    it(`refuses a WELCOME with ${what} with a clear join failure, and does not spin`, () => {
      const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
      core.join(T0);
      sent(core);
      deliver(core, welcome(over), T0 + 5);
      const failed = sent(core).events.find((e) => e.type === 'join-failed');
      expect(failed).to.include({ code: 'UDPCHAT_ERR_BAD_FIELD' });
      expect((failed as { reason: string }).reason).to.match(/^the server announced an unusable/);
      expect(core.state).to.equal('failed');
      expect(core.nextDeadline()).to.equal(Infinity);
      expect(() => core.say('still fine', T0 + 6)).to.not.throw();
    });
  }

  it('passes no control characters of an ERROR detail on to the front end', () => {
    const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
    core.join(T0);
    deliver(core, { type: 'error', ref: CLIENT_ID, code: 'UDPCHAT_ERR_SERVER_FULL', arg: 0, detail: 'full\x1b]52;c;aGk=\x07\x1b[2J\u202e' }, T0 + 5);
    const failed = sent(core).events.find((e) => e.type === 'join-failed') as { reason: string };
    expect(failed.reason).to.not.match(/[\u0000-\u001f\u007f-\u009f\u202e]/u);
    expect(failed.reason).to.include('\\x1b');
  });

  it('ignores a HISTORY_GONE naming entries far beyond anything the server said exists', () => {
    const core = online();
    deliver(core, { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_HISTORY_GONE', arg: 4_294_967_218, detail: '' }, T0 + 5);
    expect(sent(core).events.filter((e) => e.type === 'notice')).to.be.empty;
    expect(core.drops).to.equal(1);
  });
});
