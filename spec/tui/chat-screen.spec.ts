/**
 * What a user sees: the real UI drawn into a headless terminal emulator with Unicode 11 widths.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { ChatScreen } from '../../lib/tui/chat-screen.js';
import { InputLine } from '../../lib/tui/input-line.js';
import { MessageLog } from '../../lib/tui/message-log.js';
import { KEY, startTui, type Harness } from './helpers/headless.js';
import { nickColour } from '../../lib/tui/nick-colour.js';

const NICKS = ['alice', 'bob', 'me', 'Жанна'];

describe('ChatScreen (headless terminal)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startTui({ cols: 80, rows: 20, session: { nick: 'me', peers: NICKS, rttMs: 12 } });
    h.session.roster(NICKS);
    await h.waitForText('4 online');
  });

  afterEach(async () => {
    await h.dispose();
  });

  /** Row of the input line (the one with the prompt). */
  function inputRow(): number {
    return h.lines().findIndex((l) => l.startsWith('│> '));
  }

  function inputText(): string {
    return (h.lines()[inputRow()] ?? '').slice(3).replace(/\s*│\s*$/u, '');
  }

  it('shows the log, the peer list with the number online, and a status line', async () => {
    h.session.setState('online', 12.4);
    await h.waitForText('rtt 12 ms');
    const screen = h.lines().join('\n');
    expect(screen).to.contain('127.0.0.1:7777').and.to.contain('online').and.to.contain('as me');
    for (const n of NICKS) expect(screen).to.contain(n);
    expect(screen).to.contain('Connected to 127.0.0.1:7777 as me');
  });

  it('does not call the member list "online" while the session is not (it is the last one known)', async () => {
    h.session.setState('reconnecting');
    // 16 columns wide: " 4 last known " does not fit, the count alone does.
    await h.waitFor(() => (h.lines()[0] ?? '').includes('┌─ 4 ─'), 'the count alone');
    expect(h.lines().join('\n')).not.to.contain('4 online');
    h.session.setState('online', 5);
    await h.waitForText('4 online');
  });

  it('keeps the draft and the cursor while messages arrive', async () => {
    await h.type('hello wonderful world');
    await h.press(KEY.left, KEY.left, KEY.left, KEY.left, KEY.left);
    await h.waitFor(() => inputText() === 'hello wonderful world', 'the draft');
    const before = h.cursor();
    for (let i = 0; i < 40; i++) h.session.message('alice', `message number ${i} ${'x'.repeat(i)}`);
    await h.waitForText('message number 39');
    expect(inputText()).to.equal('hello wonderful world');
    expect(h.cursor()).to.deep.equal(before);
    await h.type('-');
    await h.press(KEY.enter);
    expect(h.session.said).to.deep.equal(['hello wonderful -world']);
  });

  it('edits like a shell: arrows, Home/End, Ctrl-A/E, Backspace/Delete, Ctrl-W, Ctrl-U', async () => {
    await h.type('world');
    await h.press(KEY.home);
    await h.type('hello ');
    await h.press(KEY.end);
    await h.type('!!');
    await h.press(KEY.backspace, KEY.ctrlA, KEY.delete, KEY.right);
    await h.type('E');
    await h.press(KEY.ctrlE, KEY.left);
    await h.type('s');
    await h.press(KEY.enter);
    expect(h.session.said).to.deep.equal(['eEllo worlds!']);
    await h.type('one two three');
    await h.press(KEY.ctrlW);
    await h.type('3');
    await h.press(KEY.enter);
    await h.type('gone');
    await h.press(KEY.ctrlU);
    await h.type('kept');
    await h.press(KEY.enter);
    expect(h.session.said).to.deep.equal(['eEllo worlds!', 'one two 3', 'kept']);
  });

  it('recalls earlier inputs with Up and Down', async () => {
    await h.type('first');
    await h.press(KEY.enter);
    await h.type('second');
    await h.press(KEY.enter);
    await h.type('draft');
    await h.press(KEY.up);
    await h.waitFor(() => inputText() === 'second', 'second recalled');
    await h.press(KEY.up);
    await h.waitFor(() => inputText() === 'first', 'first recalled');
    await h.press(KEY.down, KEY.down);
    await h.waitFor(() => inputText() === 'draft', 'the draft back');
    await h.press(KEY.up, KEY.up, KEY.enter);
    expect(h.session.said).to.deep.equal(['first', 'second', 'first']);
  });

  it('completes nicks with Tab, adding ": " at the start of the line, and cycles', async () => {
    h.session.roster(['alice', 'alfred', 'bob', 'me']);
    await h.type('al');
    await h.press(KEY.tab);
    await h.waitFor(() => inputText() === 'alfred:', 'alfred completed');
    await h.press(KEY.tab);
    await h.waitFor(() => inputText() === 'alice:', 'cycled to alice');
    await h.type('hi b');
    await h.press(KEY.tab);
    await h.type('!');
    await h.press(KEY.enter);
    expect(h.session.said).to.deep.equal(['alice: hi bob !']);
  });

  it('scrolls back with PageUp/PageDown and hints at new messages meanwhile', async () => {
    for (let i = 0; i < 60; i++) h.session.message('bob', `line ${i}`);
    await h.waitForText('line 59');
    await h.press(KEY.pageUp);
    await h.waitForText('scrolled up');
    expect(h.lines().join('\n')).not.to.contain('line 59');
    h.session.message('alice', 'arrived while away');
    h.session.message('alice', 'and another');
    await h.waitForText('2 new messages below');
    await h.press(KEY.pageUp, KEY.pageUp, KEY.pageUp, KEY.pageUp, KEY.pageUp);
    await h.waitForText('line 0');
    for (let i = 0; i < 8; i++) await h.press(KEY.pageDown);
    await h.waitForText('and another');
    expect(h.lines().join('\n')).not.to.contain('new messages');
  });

  it('scrolls the log with the mouse wheel', async () => {
    for (let i = 0; i < 40; i++) h.session.message('bob', `wheel ${i}`);
    await h.waitForText('wheel 39');
    for (let i = 0; i < 5; i++) await h.press('\x1b[<64;10;5M'); // SGR wheel up over the log
    await h.waitForText('scrolled up');
    expect(h.lines().join('\n')).not.to.contain('wheel 39');
    for (let i = 0; i < 10; i++) await h.press('\x1b[<65;10;5M');
    await h.waitFor(() => !h.lines().join('\n').includes('scrolled up'), 'back at the bottom');
    expect(h.lines().join('\n')).to.contain('wheel 39');
  });

  it('shows unacknowledged messages in the status line', async () => {
    h.session.emitEvent({ type: 'delivered', pending: 2 });
    await h.waitForText('2 unsent');
    h.session.emitEvent({ type: 'delivered', pending: 0 });
    await h.waitFor(() => !h.lines().join('\n').includes('unsent'), 'no unsent count');
  });

  it('survives a tiny terminal and comes back', async () => {
    await h.type('tiny draft');
    await h.resize(12, 5);
    await h.resize(3, 2);
    await h.resize(80, 20);
    await h.waitFor(() => h.lines().some((l) => l.startsWith('│> tiny draft')), 'the draft after resizing');
  });

  it('shows blessed tags and terminal escape sequences from peers as text', async () => {
    h.session.message('mallory', '{bold}B{/bold} {red-fg}R{/} \x1b[31mred\x1b]52;c;QUJD\x07 \u202eevil \x9b2J');
    await h.waitForText('{bold}B{/bold}');
    const row = h.lines().findIndex((l) => l.includes('{bold}B{/bold}'));
    const text = h.lines().slice(row, row + 2).join('');
    expect(text).to.contain('{red-fg}R{/}').and.to.contain('\\x1b[31mred\\x1b]52;c;QUJD\\x07');
    expect(text).to.contain('\\u202eevil').and.to.contain('\\x9b2J');
    const col = h.lines()[row]!.indexOf('{bold}B');
    const cell = h.term.buffer.active.getLine(row)!.getCell(col + 6)!;
    expect(cell.isBold()).to.equal(0);
    expect(h.written()).not.to.contain('\x1b]52');
    expect(h.written()).not.to.contain('\u202e');
  });

  it('colours nicks by hash and marks own messages, mentions, history and system events', async () => {
    h.session.message('carol', 'old news', { history: true });
    h.session.message('alice', 'hi there');
    h.session.message('me', 'my own words');
    h.session.message('bob', 'hey me, look');
    h.session.presence('dave', 'leave', { reason: 'timeout' });
    await h.waitForText('dave timed out');
    const lines = h.lines();
    expect(lines.join('\n')).to.contain('replayed history').and.to.contain('end of history');
    const at = (needle: string, offset = 0): ReturnType<NonNullable<ReturnType<typeof h.term.buffer.active.getLine>>['getCell']> => {
      const y = lines.findIndex((l) => l.includes(needle));
      const x = lines[y]!.indexOf(needle) + offset;
      return h.term.buffer.active.getLine(y)!.getCell(x);
    };
    expect(at('<alice>', 1)!.getFgColor()).to.equal(nickColour('alice'));
    expect(at('<me>', 1)!.isUnderline()).to.not.equal(0);
    expect(at('hey me')!.getBgColor()).to.equal(11);
    expect(at('old news')!.getFgColor()).to.equal(244);
    expect(at('dave timed out')!.getFgColor()).to.equal(244);
    expect(at('hi there')!.isFgDefault()).to.equal(true);
  });

  it('after "Reconnected", shows what was missed while away under a marker, so the clock running back is explained', async () => {
    const at = (h: number, m: number): number => new Date(2026, 11, 3, h, m).getTime();
    h.session.message('alice', 'before the outage', { time: at(10, 1) });
    h.session.joined('me', true);
    await h.waitForText('Reconnected as me');
    h.session.message('alice', 'said while you were away', { time: at(10, 3), missed: true });
    h.session.presence('bob', 'leave', { time: at(10, 4), missed: true });
    h.session.message('alice', 'live again', { time: Date.now() });
    await h.waitForText('live again');
    const log = h.lines().map((l) => l.replace(/^│/u, '').replace(/\s*│.*$/u, '').trim()).filter((l) => l !== '');
    const from = log.findIndex((l) => l.includes('Reconnected as me'));
    expect(log.slice(from + 1, from + 5)).to.deep.equal([
      '-------- missed while you were away --------',
      '10:03 <alice> said while you were away',
      '10:04 *** bob left',
      '-------- caught up --------',
    ]);
    expect(log[from + 5]).to.match(/^\d\d:\d\d <alice> live again$/u);
  });

  it('rings the bell on a mention, not on other messages', async () => {
    h.session.message('alice', 'nothing for you');
    await h.waitForText('nothing for you');
    expect(h.written()).not.to.contain('\x07');
    h.session.message('alice', 'ping ME please');
    await h.waitForText('ping ME please');
    await h.waitFor(() => h.written().includes('\x07'), 'the bell');
  });
});

describe('ChatScreen at small sizes', () => {
  let h: Harness;

  afterEach(async () => {
    await h.dispose();
  });

  it('keeps your own nick on a 40-column status line (the server address is shortened first)', async () => {
    h = await startTui({ cols: 40, rows: 12, session: { nick: 'annabelle', server: '192.168.100.200:7777', rttMs: 12 } });
    await h.waitForText('Connected');
    expect(h.lines().join('\n')).to.match(/ online {2}as annabelle/u);
    h.session.pending = 3;
    h.session.emitEvent({ type: 'delivered', pending: 3 });
    await h.waitForText('3 unsent');
    expect(h.lines().join('\n')).to.match(/as annabelle {2}3 unsent/u);
  });

  it('says the member list is the last one known while offline, where the label fits', async () => {
    h = await startTui({ cols: 120, rows: 12, session: { nick: 'me', peers: ['ann', 'bob'] } });
    h.session.roster(['ann', 'bob']);
    h.session.setState('reconnecting');
    await h.waitForText('2 last known');
  });

  it('leaves the title out rather than draw it over the border at 10×5', async () => {
    h = await startTui({ cols: 10, rows: 5 });
    await h.waitFor(() => (h.lines()[0] ?? '').length > 0, 'a first frame');
    const top = h.lines()[0] ?? '';
    // A border all along: corners and lines only (blessed may draw them with VT100 letters).
    expect(top, 'top row').to.match(/^[┌l][─q]+[┐k]$/u);
  });
});

describe('ChatScreen frames', () => {
  it('draws a key press right after the callback it came in, before the rest of the turn (datagrams read with it)', async () => {
    const output = Object.assign(new PassThrough(), { columns: 80, rows: 20, isTTY: true });
    output.resume();
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    const status = { server: '127.0.0.1:7777', state: 'online', stateStyle: {}, rttMs: 2, nick: 'me', pending: 0 };
    const screen = new ChatScreen({ log: new MessageLog(), input: new InputLine(), prompt: '> ', peers: ['me'], status }, { input, output, terminal: 'xterm-256color' });
    try {
      const order: string[] = [];
      screen.screen.on('render', () => order.push('frame'));
      await new Promise<void>((resolve) => {
        setImmediate(() => {
          // As in one turn of the event loop: more I/O callbacks are due; a message arrived (a
          // frame for later), then a key was pressed.
          setImmediate(() => {
            order.push('the rest of the turn');
            resolve();
          });
          screen.render();
          screen.render(true);
        });
      });
      expect(order.slice(0, 2)).to.deep.equal(['frame', 'the rest of the turn']);
    } finally {
      screen.destroy();
    }
  });
});
