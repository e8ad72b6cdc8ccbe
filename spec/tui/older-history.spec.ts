/**
 * PageUp at the oldest loaded line of the full-screen client loads older history (README,
 * "Full-screen client"; docs/protocol.md §6.2.11): "loading older messages…" until the page comes,
 * the page inserted above in order, one line at the top where nothing older can be had. Headless
 * (xterm), over a FakeSession that plays the server.
 */
import { expect } from 'chai';
import type { OlderEntry } from '../../lib/client/session-types.js';
import { type Harness, KEY, startTui } from './helpers/headless.js';

const older = (from: number, to: number): OlderEntry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'message', seq: from + i, time: Date.now(), nick: 'bob', text: `old ${from + i}`, own: false, history: true }));

describe('full-screen client: older history with PageUp', function () {
  let h: Harness;
  beforeEach(async () => {
    h = await startTui({ cols: 80, rows: 24, session: { nick: 'ann', state: 'online' } });
  });
  afterEach(async () => {
    await h.dispose();
  });

  /** PageUp until the oldest line is on screen (the FakeSession records loadOlder calls). */
  async function toTop(first: string): Promise<void> {
    for (let i = 0; i < 20 && !h.lines().join('\n').includes(first); i++) await h.press(KEY.pageUp);
    await h.waitForText(first);
  }

  it('asks for the previous page at the oldest line only, shows loading until it comes, and inserts it above in order', async () => {
    for (let i = 101; i <= 140; i++) h.session.message('bob', `msg ${i}`, { history: true });
    await h.waitForText('msg 140');
    await toTop('Connected to');
    expect(h.session.olderAsked, 'scrolling up to the top asks nothing').to.deep.equal([]);
    await h.press(KEY.pageUp);
    await h.waitForText('loading older messages…');
    expect(h.session.olderAsked).to.have.length(1);
    await h.press(KEY.pageUp);
    expect(h.session.olderAsked, 'one page at a time').to.have.length(1);
    h.session.emitEvent({ type: 'older', entries: older(61, 100) });
    await h.waitForText('old 100');
    await h.waitFor(() => !h.lines().join('\n').includes('loading older messages'), 'the loading line gone');
    // The page sits above what was there, in order: scroll up through it to its first line.
    await toTop('old 61');
    const screen = h.lines().join('\n');
    const at = (text: string): number => screen.indexOf(text);
    expect(at('old 61')).to.be.below(at('old 62'));
    expect(h.session.olderAsked).to.have.length(1);
    await h.press(KEY.pageUp);
    expect(h.session.olderAsked, 'at the top again: the next page').to.have.length(2);
    h.session.emitEvent({ type: 'older', entries: older(1, 60) });
    h.session.emitEvent({ type: 'no-older', why: 'start' });
    await toTop('This is the beginning of the history.');
    await h.press(KEY.pageUp, KEY.pageUp);
    expect(h.session.olderAsked, 'nothing older: no more requests').to.have.length(2);
    // All of it, once each, in room order, down to the newest.
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      for (const line of h.lines()) {
        const m = /(old|msg) (\d+)/.exec(line);
        if (m !== null && !seen.includes(m[0])) seen.push(m[0]);
      }
      await h.press(KEY.pageDown);
    }
    expect(seen).to.deep.equal([...Array.from({ length: 100 }, (_, i) => `old ${i + 1}`), ...Array.from({ length: 40 }, (_, i) => `msg ${101 + i}`)]);
  });

  it('says so once at the top when the server keeps nothing older or cannot page', async () => {
    h.session.message('bob', 'only line', { history: true });
    await h.waitForText('only line');
    await h.press(KEY.pageUp);
    await h.waitForText('loading older messages…');
    h.session.emitEvent({ type: 'notice', text: "older history is beyond the server's retention (500 earlier entries are no longer kept)" });
    h.session.emitEvent({ type: 'no-older', why: 'gone' });
    await h.waitForText('Older messages are no longer kept by the server.');
    await h.press(KEY.pageUp, KEY.pageUp);
    expect(h.session.olderAsked).to.have.length(1);
    expect(h.lines().filter((l) => l.includes('no longer kept by the server')), 'one line').to.have.length(1);
  });

  it('says older messages load once connected when the session is not online, and asks again on the next PageUp', async () => {
    h.session.message('bob', 'only line', { history: true });
    await h.waitForText('only line');
    await h.press(KEY.pageUp);
    h.session.emitEvent({ type: 'no-older', why: 'not-joined' });
    await h.waitForText('Older messages can be loaded once connected.');
    await h.waitFor(() => !h.lines().join('\n').includes('loading older messages'), 'the loading line gone');
    await h.press(KEY.pageUp);
    expect(h.session.olderAsked).to.have.length(2);
  });
});
