/**
 * Pasting in the full-screen client (headless terminal, fake session): bracketed paste is one
 * insert and one redraw, line breaks stay in one message, large pastes ask first, and what other
 * people write keeps arriving meanwhile.
 */
import { expect } from 'chai';
import { KEY, startTui, type Harness } from './helpers/headless.js';

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

describe('pasting in the full-screen client', () => {
  let h: Harness;

  afterEach(async () => {
    await h.dispose();
  });

  function inputRow(): string {
    return h.lines().find((l) => /^│\S*> /u.test(l)) ?? '';
  }

  it('turns bracketed paste on at start and off on exit', async () => {
    h = await startTui();
    await h.waitForText('Connected to');
    expect(h.term.modes.bracketedPasteMode).to.equal(true);
    await h.press(KEY.ctrlC);
    expect(await h.exit).to.equal('left');
    await h.waitFor(() => !h.term.modes.bracketedPasteMode, 'bracketed paste off');
  });

  it('keeps a multi-line paste in the draft as one message with its line breaks', async () => {
    h = await startTui();
    await h.waitForText('Connected to');
    await h.type('see: ');
    h.input.write(`${PASTE_START}first line\r\nsecond\tline\rthird${PASTE_END}`);
    await h.waitFor(() => inputRow().includes('first line↵second line↵third'), 'the paste in the draft');
    expect(h.session.said).to.deep.equal([]);
    await h.press(KEY.enter);
    expect(h.session.said).to.deep.equal(['see: first line\nsecond\tline\nthird']);
  });

  it('shows a 20,000-character paste within a second while a message from someone else arrives', async () => {
    h = await startTui();
    await h.waitForText('Connected to');
    const text = `${'lorem ipsum dolor sit amet '.repeat(760)}THE-END`;
    expect(text.length).to.be.greaterThan(20_000);
    const started = Date.now();
    h.input.write(`${PASTE_START}${text}${PASTE_END}`);
    h.session.message('bob', 'arrived during the paste');
    await h.waitFor(() => inputRow().includes('THE-END'), 'the end of the paste in the draft', 1000);
    await h.waitForText('arrived during the paste', 1000);
    expect(Date.now() - started).to.be.lessThan(1000);
    // Large: the user is asked before it goes out; Enter sends it (split into protocol-sized parts).
    // Over one message's 1,000 bytes: the question says it goes as several (split-text.ts).
    await h.waitForText('Enter sends it as several messages');
    await h.press(KEY.enter);
    await h.waitFor(() => h.session.said.join('') === text, 'all of the paste said');
    expect(h.session.said.length).to.be.greaterThan(1);
    expect(inputRow()).not.to.include('lorem');
  });

  it('Ctrl-C cancels a large paste and gives back the draft as it was', async () => {
    h = await startTui();
    await h.waitForText('Connected to');
    await h.type('keep me');
    h.input.write(`${PASTE_START}${Array.from({ length: 12 }, (_, i) => `row ${i}`).join('\n')}${PASTE_END}`);
    await h.waitForText('Paste of 12 lines');
    await h.waitForText('Enter sends it as one message');
    await h.press(KEY.ctrlC);
    await h.waitForText('Paste cancelled.');
    expect(inputRow()).to.match(/> keep me\s/u);
    expect(h.session.leaves).to.equal(0);
    expect(h.session.said).to.deep.equal([]);
  });

  it('asks about a large paste in words that fit a narrow terminal, keys included (40 columns)', async () => {
    h = await startTui({ cols: 40 });
    await h.waitForText('Connected to');
    h.input.write(`${PASTE_START}${Array.from({ length: 60 }, (_, i) => `row ${i} of a long paste`).join('\n')}${PASTE_END}`);
    await h.waitFor(() => h.lines().some((l) => /^ Paste.*: Enter sends.*, Ctrl-C cancels\s*$/u.test(l)), 'the whole question on one row');
    await h.press(KEY.ctrlC);
    await h.waitForText('Paste cancelled.');
    expect(h.session.said).to.deep.equal([]);
  });

  it('counts the characters of a large paste as a person does (an emoji or an accented letter is one)', async () => {
    h = await startTui({ cols: 120 });
    await h.waitForText('Connected to');
    h.input.write(`${PASTE_START}${'👋e\u0301x'.repeat(1500)}${PASTE_END}`);
    await h.waitForText('Paste of 1 line, 4500 characters');
  });

  it('shows a received line feed as a new row lined up under the text, and a tab as spaces', async () => {
    h = await startTui();
    await h.waitForText('Connected to');
    h.session.message('bob', 'one\ntwo\tthree\r\nfour');
    await h.waitForText('four');
    const screen = h.lines();
    const first = screen.findIndex((l) => l.includes('<bob> one'));
    expect(first).to.be.greaterThan(-1);
    expect(screen[first + 1]).to.match(/^│ {6}two {4}three\s/u);
    expect(screen[first + 2]).to.match(/^│ {6}four\s/u);
    expect(screen.join('\n')).not.to.include('\\x09');
  });
});
