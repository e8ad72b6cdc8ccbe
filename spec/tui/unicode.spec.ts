/**
 * Text of every script on a terminal with Unicode 11 widths: borders stay aligned, nothing after
 * an emoji shifts, and the input line edits whole characters.
 */
import { expect } from 'chai';
import { KEY, startTui, type Harness } from './helpers/headless.js';

const COLS = 72;
const ROWS = 18;

const SAMPLES = [
  'Cyrillic: Съешь же ещё этих мягких французских булок',
  'CJK: 你好世界，こんにちは、안녕하세요',
  'emoji: 😀 family 👨‍👩‍👧 skin 👍🏽 coder 👩🏽‍💻 flag 🇫🇷🇯🇵 heart ❤️ keycap 1️⃣',
  'combining: e\u0301 a\u0308 n\u0303 Z\u0335\u0321a\u0337l\u0336g\u0334o\u0338 ก่ क्षि',
];

describe('Unicode on screen (headless terminal, Unicode 11 widths)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startTui({ cols: COLS, rows: ROWS, session: { nick: 'me', peers: ['me'] } });
  });

  afterEach(async () => {
    await h.dispose();
  });

  /** Columns where every row between the log's top and bottom border has a vertical line. */
  function assertFramesAligned(): void {
    const lines = h.lines();
    const bottom = lines.findIndex((l, i) => i > 0 && l.startsWith('└'));
    expect(bottom, 'log bottom border').to.be.greaterThan(0);
    const top = h.cells(0);
    const verticals = top.flatMap((c, x) => (c === '┐' || c === '┌' ? [x] : []));
    for (let y = 1; y < bottom; y++) {
      const row = h.cells(y);
      for (const x of verticals) expect(row[x], `row ${y} col ${x}:\n${lines.join('\n')}`).to.equal('│');
    }
    const inputRow = lines.findIndex((l) => l.startsWith('│> '));
    const row = h.cells(inputRow);
    expect(row[0]).to.equal('│');
    expect(row[COLS - 1], `input row:\n${lines.join('\n')}`).to.equal('│');
  }

  it('keeps the borders aligned with Cyrillic, CJK, emoji and combining marks in the log', async () => {
    for (const text of SAMPLES) h.session.message('alice', text);
    h.session.message('алёна', 'эмодзи в нике тоже 👍🏽');
    await h.waitForText('эмодзи в нике');
    assertFramesAligned();
  });

  it('draws what follows an emoji or CJK character in the column it belongs to', async () => {
    for (const [i, ch] of ['😀', '你', '👨‍👩‍👧', '👍🏽', '🇫🇷', '❤️', '1️⃣'].entries()) {
      h.session.message('bob', `case${i} A${ch}B`);
    }
    await h.waitForText('case6');
    for (let i = 0; i < 7; i++) {
      const y = h.lines().findIndex((l) => l.includes(`case${i} A`));
      const row = h.cells(y);
      const a = row.indexOf('A', row.indexOf('e') + 1);
      expect(row[a + 3], `case${i}: ${h.lines()[y]}`).to.equal('B');
    }
    assertFramesAligned();
  });

  it('keeps the borders aligned with wide nicks in the peer list', async () => {
    h.session.roster(['me', 'Жанна', '李小龙', 'fam👨‍👩‍👧‍👦ily', 'flag🇺🇦', 'café']);
    await h.waitForText('6 online');
    await h.waitForText('李小龙');
    assertFramesAligned();
  });

  it('types, moves over and deletes whole characters in the input line', async () => {
    await h.type('a👨‍👩‍👧你e\u0301🇫🇷z');
    await h.waitFor(() => h.cursor().x === 3 + 1 + 2 + 2 + 1 + 2 + 1, 'cursor after the text');
    await h.press(KEY.left, KEY.backspace);
    await h.waitFor(() => h.cursor().x === 3 + 1 + 2 + 2 + 1, 'cursor after the flag was deleted');
    await h.press(KEY.left, KEY.left, KEY.backspace, KEY.enter);
    expect(h.session.said).to.deep.equal(['a你e\u0301z']);
    assertFramesAligned();
  });

  it('redraws only what changed without shifting the rest of the line (emoji blessed thinks narrow)', async () => {
    await h.type('😀ab');
    await h.waitFor(() => h.cursor().x === 3 + 4, 'cursor after 😀ab');
    // One chunk, so one render: 😀 becomes 😃 (its second cell unchanged), b becomes c.
    h.input.write(`${KEY.home}${KEY.delete}😃${KEY.end}${KEY.backspace}c`);
    await h.waitFor(() => h.cursor().x === 3 + 4 && h.cells(h.cursor().y).includes('c'), 'the edit drawn');
    const row = h.cells(h.cursor().y);
    expect(row.slice(3, 7)).to.deep.equal(['😃', '', 'a', 'c']);
    assertFramesAligned();
  });

  it('keeps borders and cursor in place while typing a line longer than the screen', async () => {
    const long = `${'Ж你😀'.repeat(30)}end`;
    await h.type(long);
    await h.waitFor(() => h.lines().some((l) => l.includes('end')), 'the end of the long line');
    assertFramesAligned();
    const { x } = h.cursor();
    expect(x).to.be.lessThan(COLS - 1);
    await h.press(KEY.home);
    await h.waitFor(() => h.cursor().x === 3, 'cursor at the start');
    assertFramesAligned();
    await h.press(KEY.enter);
    expect(h.session.said).to.deep.equal([long]);
  });
});
