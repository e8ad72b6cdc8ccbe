/**
 * PageUp loading older history in the real full-screen client (README, "Full-screen client"): the
 * real `udp-chat join` in tmux against a real server that replays only 5 messages to a newcomer;
 * PageUp at the oldest line pages back to the room's first message, shown above in order.
 *
 * Needs tmux (CI installs it); `npm test` builds dist/ first.
 */
import { expect } from 'chai';
import { messageLine, startClient, startServer } from '../support/processes.js';
import { joinInTmux, useTmux } from '../support/tmux-client.js';

const MESSAGES = 60;

/** The numbers N of the "<bob> msg N" rows on the screen, top to bottom. */
function shown(screen: string): number[] {
  return [...screen.matchAll(/<bob> msg (\d+)\b/g)].map((m) => Number(m[1]));
}

/** What the log shows of the room (the status line's rtt changes on its own). */
function logOf(screen: string): string {
  return `${shown(screen).join(',')} ${screen.includes('This is the beginning of the history.')}`;
}

describe('udp-chat full-screen client in tmux: PageUp loads older history (e2e)', function () {
  this.timeout(30_000);

  useTmux();

  it('pages back from the 5 replayed messages to the first one, every message once and in order', async function () {
    const { port } = await startServer(['--history', '5', '--rate', '1000', '--burst', '1000', '--no-persist']);
    const bob = await startClient('bob', port);
    for (let i = 1; i <= MESSAGES; i++) bob.write(`msg ${i}`);
    await bob.waitForLine(messageLine('bob', `msg ${MESSAGES}`), 10_000);
    const ann = await joinInTmux(port);
    await ann.waitForScreen((s) => s.includes(`<bob> msg ${MESSAGES}`) && s.includes('Joined as ann.'), 8000, 'ann online with the replayed history');
    expect(shown(await ann.capture()).filter((n) => n <= MESSAGES - 5), ann.explain('only 5 replayed')).to.deep.equal([]);
    // PageUp until the top says the history starts there (each press at the oldest line loads a page).
    const seen = new Set<number>();
    let screen = await ann.capture();
    for (let i = 0; i < 40 && !screen.includes('This is the beginning of the history.'); i++) {
      const before = logOf(screen);
      await ann.sendKey('PageUp');
      // Every press moves the view (or, at the oldest line, shows "loading older messages…" until
      // the page is there and shown): wait for that, so no screen is read before the key took effect.
      screen = await ann.waitForScreen((x) => logOf(x) !== before && !x.includes('loading older messages'), 5000, `PageUp ${i + 1} shown`);
      const rows = shown(screen);
      expect(rows, ann.explain('rows in order')).to.deep.equal([...rows].sort((a, b) => a - b));
      for (const n of rows) seen.add(n);
    }
    screen = await ann.waitForScreen(/This is the beginning of the history\./, 5000, 'the beginning of the history');
    expect(shown(screen)[0], ann.explain('the first message at the top')).to.equal(1);
    for (const n of shown(screen)) seen.add(n);
    expect([...seen].sort((a, b) => a - b), ann.explain('every message seen on the way up')).to.deep.equal(Array.from({ length: MESSAGES }, (_, i) => i + 1));
  });
});
