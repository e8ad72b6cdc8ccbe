/**
 * `join --history N` in line mode (README): the last N messages of history, paged back past the
 * server's replay when N is larger, none for 0; events held meanwhile so lines stay in room order.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { formatClock } from '../../lib/client/presentation.js';
import type { OlderEntry } from '../../lib/client/session-types.js';
import { lastMessages } from '../../lib/plain/join-history.js';
import { runLineMode } from '../../lib/plain/line-mode.js';
import { FakeSession } from '../support/fake-session.js';

const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const TIME = formatClock(T);

const running: Array<{ session: FakeSession; input: PassThrough; done: Promise<unknown> }> = [];

function start(history: number | undefined): { session: FakeSession; input: PassThrough; out: string[]; settle: () => Promise<void> } {
  const session = new FakeSession({ nick: 'ann', peers: ['ann', 'bob'] });
  const input = new PassThrough();
  const output = new PassThrough();
  const out: string[] = [];
  let buffered = '';
  output.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    out.push(...parts);
  });
  const done = runLineMode(session, { input, output, errors: new PassThrough(), color: false, drainTimeoutMs: 2000, ...(history === undefined ? {} : { history }) });
  running.push({ session, input, done });
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return { session, input, out, settle };
}

/** The join as the server plays it: WELCOME, `replayed` history messages, our own join entry. */
function joinWith(session: FakeSession, replayed: string[]): void {
  session.joined('ann');
  for (const text of replayed) session.message('bob', text, { time: T, history: true });
  session.presence('ann', 'join', { time: T });
}

const older = (texts: string[], firstSeq: number): OlderEntry[] =>
  texts.map((text, i) => ({ type: 'message', seq: firstSeq + i, time: T, nick: 'bob', text, own: false, history: true }));

describe('line mode --history N', () => {
  afterEach(async () => {
    // Input ends and everything is delivered: each run leaves and its promise settles.
    for (const r of running.splice(0)) {
      r.session.state = 'online';
      r.input.end();
      await r.done;
    }
  });

  it('prints only the last N messages of the replay when N is smaller, and asks for nothing older', async () => {
    const { session, out, settle } = start(2);
    joinWith(session, ['h1', 'h2', 'h3', 'h4']);
    session.message('bob', 'live', { time: T });
    await settle();
    expect(out.slice(1)).to.deep.equal(['-- history --', `${TIME} bob: h3`, `${TIME} bob: h4`, '-- end of history --', `${TIME} bob: live`]);
    expect(out[0]).to.match(/ \* you joined as ann$/);
    expect(session.olderAsked).to.deep.equal([]);
  });

  it('prints no history at all for 0', async () => {
    const { session, out, settle } = start(0);
    joinWith(session, ['h1', 'h2']);
    session.message('bob', 'live', { time: T });
    await settle();
    expect(out.slice(1)).to.deep.equal([`${TIME} bob: live`]);
  });

  it('pages back for more than the replay, holding live lines until the history is complete, in room order', async () => {
    const { session, out, settle } = start(5);
    joinWith(session, ['h3', 'h4']);
    await settle();
    expect(session.olderAsked, 'a page asked for').to.have.length(1);
    session.message('bob', 'live while paging', { time: T });
    expect(out.slice(1), 'held meanwhile').to.deep.equal([]);
    session.emitEvent({ type: 'older', entries: older(['h2'], 3) });
    await settle();
    expect(session.olderAsked, 'still short: the next page').to.have.length(2);
    session.emitEvent({ type: 'older', entries: older(['h0', 'h1'], 1) });
    await settle();
    expect(out.slice(1)).to.deep.equal([
      '-- history --',
      `${TIME} bob: h0`,
      `${TIME} bob: h1`,
      `${TIME} bob: h2`,
      `${TIME} bob: h3`,
      `${TIME} bob: h4`,
      '-- end of history --',
      `${TIME} bob: live while paging`,
    ]);
    expect(session.olderAsked, 'five reached: no more pages').to.have.length(2);
  });

  it('prints what there is when the room has fewer messages, and says so when the server cannot page', async () => {
    const a = start(10);
    joinWith(a.session, ['h1']);
    await a.settle();
    a.session.emitEvent({ type: 'no-older', why: 'start' });
    await a.settle();
    expect(a.out.slice(1)).to.deep.equal(['-- history --', `${TIME} bob: h1`, '-- end of history --']);
    const b = start(10);
    joinWith(b.session, ['h1']);
    await b.settle();
    b.session.emitEvent({ type: 'no-older', why: 'unsupported' });
    await b.settle();
    expect(b.out.slice(1, 4)).to.deep.equal(['-- history --', `${TIME} bob: h1`, '-- end of history --']);
    expect(b.out[4]).to.match(/\* this server cannot send older history \(an older udp-chat\)$/);
  });

  it('leaves the output as today without the flag', async () => {
    const { session, out, settle } = start(undefined);
    joinWith(session, ['h1', 'h2']);
    await settle();
    expect(out.slice(1)).to.deep.equal(['-- history --', `${TIME} bob: h1`, `${TIME} bob: h2`, '-- end of history --']);
    expect(session.olderAsked).to.deep.equal([]);
  });

  it('lastMessages keeps what lies between the N-th last message and the end', () => {
    const e = [{ type: 'message' }, { type: 'presence' }, { type: 'message' }, { type: 'presence' }];
    expect(lastMessages(e, 1)).to.deep.equal(e.slice(2));
    expect(lastMessages(e, 2)).to.deep.equal(e);
    expect(lastMessages(e, 5)).to.deep.equal(e);
    expect(lastMessages(e, 0)).to.deep.equal([]);
  });
});
