/**
 * Nothing typed is lost silently: quitting with messages the server has not acknowledged asks
 * first, waits for them with a countdown, and quits once they are delivered.
 */
import { expect } from 'chai';
import { KEY, startTui, type Harness } from './helpers/headless.js';

describe('quitting with undelivered messages', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startTui();
    await h.waitForText('Connected to');
    h.session.pending = 2;
  });

  afterEach(async () => {
    await h.dispose();
  });

  let exited = false;
  beforeEach(() => {
    exited = false;
    void h.exit.then(() => { exited = true; });
  });

  for (const [how, keys] of [['Ctrl-C', [KEY.ctrlC]], ['/q', ['/q', KEY.enter]], ['Ctrl-D', [KEY.ctrlD]]] as const) {
    it(`${how} asks first, then quits by itself once everything is delivered`, async () => {
      for (const k of keys) {
        if (k.startsWith('/')) await h.type(k);
        else await h.press(k);
      }
      await h.waitForText('2 messages not delivered yet — /q or Ctrl-C again to');
      expect(h.lines().join('\n')).to.match(/delivering 2 messages… 1\d s \(\/q or Ctrl-C again: discard\)/u);
      expect(exited).to.equal(false);
      expect(h.session.leaves).to.equal(0);
      h.session.emitEvent({ type: 'delivered', pending: 1 });
      await h.waitForText('delivering 1 message…');
      h.session.emitEvent({ type: 'delivered', pending: 0 });
      expect(await h.exit).to.equal('left');
      expect(h.session.leaves).to.equal(1);
    });
  }

  it('a second Ctrl-C quits and discards them', async () => {
    await h.press(KEY.ctrlC);
    await h.waitForText('not delivered yet');
    await h.press(KEY.ctrlC);
    expect(await h.exit).to.equal('undelivered');
    expect(h.session.leaves).to.equal(1);
  });

  it('keeps the client running and the draft editable while waiting', async () => {
    await h.press(KEY.ctrlC);
    await h.waitForText('not delivered yet');
    await h.type('still typing');
    await h.waitForText('> still typing');
    expect(exited).to.equal(false);
  });
});

describe('quitting with undelivered messages in a narrow terminal', () => {
  let h: Harness;

  afterEach(async () => {
    await h.dispose();
  });

  it('says how to discard them (40 columns)', async () => {
    h = await startTui({ cols: 40 });
    await h.waitForText('Connected to');
    h.session.pending = 2;
    await h.press(KEY.ctrlC);
    await h.waitFor(() => h.lines().some((l) => /^ 2 unsent… 1\d s; Ctrl-C: discard\s*$/u.test(l)), 'the countdown with its key');
    await h.press(KEY.ctrlC);
    expect(await h.exit).to.equal('undelivered');
  });
});
