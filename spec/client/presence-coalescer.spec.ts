/**
 * Join/leave lines under churn (issue 10 item 8): rare ones pass at once, a flood of them becomes
 * one summary per window, chat is never reordered or hidden, and a newcomer's history of 50
 * messages among thousands of presence entries shows the messages and a few summaries.
 */
import { expect } from 'chai';
import { ClientCore } from '../../lib/client/client-core.js';
import { PresenceCoalescer, QUIET_LIMIT, WINDOW_MS, summaryText } from '../../lib/client/presence-coalescer.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { encode } from '../../lib/protocol/codec.js';
import type { Entry } from '../../lib/protocol/messages.js';

const T0 = 1_767_225_600_000;
type Presence = Extract<ClientEvent, { type: 'presence' }>;
const p = (seq: number, nick: string, action: 'join' | 'leave', history = false): Presence => ({ type: 'presence', seq, time: T0 + seq, nick, action, history });

function coalescer(own = 'me'): { c: PresenceCoalescer; out: ClientEvent[] } {
  const out: ClientEvent[] = [];
  return { c: new PresenceCoalescer((e) => out.push(e), () => own), out };
}

describe('PresenceCoalescer', () => {
  it('passes rare joins and leaves through at once', () => {
    const { c, out } = coalescer();
    for (let i = 0; i < 10; i++) c.push(p(i + 1, `u${i}`, 'join'), T0 + i * WINDOW_MS);
    expect(out.map((e) => e.type)).to.deep.equal(Array(10).fill('presence'));
    expect(c.nextDeadline()).to.equal(Infinity);
  });

  it('summarises churn past the quiet limit once per window, and flushes before a message', () => {
    const { c, out } = coalescer();
    for (let i = 0; i < 40; i++) c.push(p(i + 1, `bot${i % 3}`, i % 2 === 0 ? 'join' : 'leave'), T0 + i * 10);
    expect(out).to.have.length(QUIET_LIMIT);
    expect(c.nextDeadline()).to.equal(T0 + QUIET_LIMIT * 10 + WINDOW_MS);
    const message: ClientEvent = { type: 'message', seq: 41, time: T0, nick: 'ann', text: 'hi', own: false, history: false };
    c.push(message, T0 + 500);
    expect(out.map((e) => e.type)).to.deep.equal([...Array<string>(QUIET_LIMIT).fill('presence'), 'presence-summary', 'message']);
    const summary = out[QUIET_LIMIT];
    if (summary?.type !== 'presence-summary') throw new Error('no summary');
    expect(summary).to.include({ joined: 18, left: 18, people: 3, fromSeq: QUIET_LIMIT + 1, toSeq: 40 });
    expect(summaryText(summary, (s) => s)).to.equal('18 joins and 18 leaves (3 people: bot1, bot2, bot0)');
  });

  it('shows what it holds when the window passes (tick), and never folds our own join in', () => {
    const { c, out } = coalescer('me');
    for (let i = 0; i < 10; i++) c.push(p(i + 1, `x${i}`, 'join'), T0);
    c.push(p(11, 'me', 'join'), T0);
    expect(out.at(-1)).to.deep.include({ type: 'presence', nick: 'me' });
    expect(out.at(-2)).to.deep.include({ type: 'presence-summary', joined: 6 });
    c.push(p(12, 'y', 'leave'), T0 + 1);
    c.tick(T0 + 1 + WINDOW_MS - 1);
    expect(out.at(-1)).to.deep.include({ nick: 'me' });
    c.tick(T0 + 1 + WINDOW_MS);
    expect(out.at(-1), 'one held event is shown as itself').to.deep.include({ type: 'presence', nick: 'y' });
    expect(summaryText({ type: 'presence-summary', joined: 1, left: 0, nicks: ['\x1b[2J'], people: 1, fromSeq: 1, toSeq: 1, time: 0, history: false }, (s) => JSON.stringify(s))).to.equal('1 join (1 person: "\\u001b[2J")');
  });

  it('never folds entries caught up on after a rejoin together with live ones (their times differ)', () => {
    const { c, out } = coalescer();
    for (let i = 0; i < 8; i++) c.push({ ...p(i + 1, `m${i}`, 'join'), missed: true }, T0);
    for (let i = 8; i < 12; i++) c.push(p(i + 1, `l${i}`, 'join'), T0);
    c.flush();
    const summaries = out.filter((e) => e.type === 'presence-summary');
    expect(summaries.map((e) => [e.fromSeq, e.toSeq, e.missed])).to.deep.equal([[5, 8, true], [9, 12, undefined]]);
  });
});

describe('a newcomer\'s history under churn (client core)', () => {
  it('shows the 50 messages and a handful of summaries instead of thousands of presence lines', () => {
    const clientId = Buffer.alloc(16, 0xc1);
    const token = Buffer.alloc(16, 0x70);
    const core = new ClientCore({ nick: 'newbie', clientId });
    core.join(T0);
    core.receive(encode({ type: 'cookie', clientId, cookie: Buffer.alloc(16, 9) }), T0);
    const entries: Entry[] = [];
    let seq = 0;
    for (let m = 0; m < 50; m++) {
      for (let k = 0; k < 100; k++) entries.push({ seq: ++seq, kind: k % 2 === 0 ? 'join' : 'leave', time: T0, nick: `spam${k % 7}`, ...(k % 2 === 1 ? { reason: 'quit' as const } : {}) } as Entry);
      entries.push({ seq: ++seq, kind: 'msg', time: T0, nick: 'ann', target: 0, text: `chat ${m}` });
    }
    core.receive(encode({ type: 'welcome', clientId, token, instance: Buffer.alloc(8, 1), historyFrom: 1, baseSeq: seq, ackedCseq: 0, heartbeatMs: 5000, idleTimeoutMs: 30000, maxText: 1000, caps: 0, nick: 'newbie' }), T0);
    for (let i = 0; i < entries.length; i += 50) core.receive(encode({ type: 'data', entries: entries.slice(i, i + 50) }), T0 + 1);
    core.tick(T0 + 10_000);
    const events = core.drain().events;
    const messages = events.filter((e) => e.type === 'message');
    const lines = events.filter((e) => e.type === 'message' || e.type === 'presence' || e.type === 'presence-summary');
    expect(messages.map((e) => (e.type === 'message' ? e.text : ''))).to.deep.equal(Array.from({ length: 50 }, (_, m) => `chat ${m}`));
    expect(lines.length, 'lines shown').to.be.below(150);
    const summarised = events.reduce((n, e) => n + (e.type === 'presence-summary' ? e.joined + e.left : e.type === 'presence' ? 1 : 0), 0);
    expect(summarised, 'every presence entry accounted for').to.equal(5000);
  });
});
