/**
 * Your messages show at once, dimmed and marked "sending…", and take their place in the room's
 * order when the server's copy arrives (or go, with a reason, when refused).
 */
import { expect } from 'chai';
import { KEY, startTui, type Harness } from './helpers/headless.js';

describe('pending messages in the log', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startTui({ session: { nick: 'me', peers: ['bob', 'me'] } });
    await h.waitForText('Connected to');
  });

  afterEach(async () => {
    await h.dispose();
  });

  function rowOf(text: string): number {
    return h.lines().findIndex((l) => l.includes(text));
  }

  /** Foreground palette index of the first cell of `text` on the screen. */
  function colourOf(text: string): number {
    const y = rowOf(text);
    const x = (h.lines()[y] ?? '').indexOf(text);
    return h.term.buffer.active.getLine(y)?.getCell(x)?.getFgColor() ?? -1;
  }

  it('shows a message dimmed as sending, then in the server\'s order once its copy arrives', async () => {
    await h.type('first of mine');
    await h.press(KEY.enter);
    await h.waitForText('<me> first of mine (sending…)');
    expect(colourOf('first of mine')).to.equal(244);
    expect(h.lines().join('\n')).to.include('1 unsent');

    // Someone else's message reaches the server first: the room's order puts it before ours.
    h.session.message('bob', 'bob was quicker');
    await h.waitForText('bob was quicker');
    expect(rowOf('bob was quicker')).to.be.greaterThan(rowOf('first of mine'));

    h.session.message('me', 'first of mine');
    h.session.emitEvent({ type: 'delivered', pending: 0 });
    await h.waitFor(() => !h.lines().join('\n').includes('sending…'), 'the pending line gone');
    expect(rowOf('<me> first of mine')).to.be.greaterThan(rowOf('bob was quicker'));
    expect(colourOf('first of mine')).not.to.equal(244);
    expect(h.lines().filter((l) => l.includes('first of mine'))).to.have.length(1);
  });

  it('takes a refused message\'s pending line out and says why', async () => {
    await h.type('too much');
    await h.press(KEY.enter);
    await h.waitForText('(sending…)');
    h.session.emitEvent({ type: 'refused', text: 'too much', code: 'UDPCHAT_ERR_TEXT_TOO_LONG', reason: 'text too long' });
    await h.waitForText('Not sent (text too long): too much');
    expect(h.lines().join('\n')).not.to.include('sending…');
  });
});
