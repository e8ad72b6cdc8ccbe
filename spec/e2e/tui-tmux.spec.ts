/**
 * The full-screen client as a person uses it: the real `udp-chat join` in a real terminal (a
 * private tmux server, TERM=xterm-256color), keys typed with `send-keys`, the screen read with
 * `capture-pane`. A real server on port 0 and a line-mode peer `bob` on the other side.
 *
 * Needs tmux (CI installs it); without it the suite fails, it is not skipped.
 * `npm test` builds dist/ first; when running this file by hand, run `npm run build` first.
 */
import { expect } from 'chai';
import { chatMessages, messageLine, startClient, startServer, type CliProcess } from '../support/processes.js';
import { joinInTmux, useTmux } from '../support/tmux-client.js';
import type { TmuxSession } from '../support/tmux.js';

const COLS = 90;
const ROWS = 22;
const TIME = String.raw`\d\d:\d\d:\d\d`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const presence = (text: string): RegExp => new RegExp(`^${TIME} \\* ${escapeRegExp(text)}$`);

/** Texts of the live (not replayed) messages from `nick` that `proc` printed. */
function textsFrom(proc: CliProcess, nick: string): string[] {
  return chatMessages(proc.stdout)
    .filter((m) => !m.history && m.nick === nick)
    .map((m) => m.text);
}

function lines(screen: string): string[] {
  return screen.replace(/\n$/, '').split('\n');
}

/**
 * The draft in the input line: the row that starts (after the left border) with the prompt "> ".
 * The right border, whatever glyph it is drawn with, and the blanks before it are dropped.
 */
function draftOf(screen: string): string | undefined {
  const row = lines(screen).find((l) => /^.?> /u.test(l));
  if (row === undefined) return undefined;
  return row.slice(row.indexOf('> ') + 2).replace(/\s+\S$/u, '').trimEnd();
}

/** The status line: " <server>  <state>  rtt <n> ms  as <nick>" (log lines start with a time). */
function statusOf(screen: string): string | undefined {
  return lines(screen).find((l) => /^ 127\.0\.0\.1:\d+ {2}/.test(l));
}

/** The numbers N of the "line N of 60" rows visible on the screen. */
function visibleNumbers(screen: string): number[] {
  return [...screen.matchAll(/<bob> line (\d+) of 60/g)].map((m) => Number(m[1]));
}

interface Room {
  port: number;
  bob: CliProcess;
  ann: TmuxSession;
}

/**
 * A server, `bob` in line mode, and `ann` in the full-screen client in tmux; resolves once ann
 * is online and sees bob, and bob has seen ann join. `serverArgs` go to `udp-chat serve`.
 */
async function openRoom(serverArgs: readonly string[] = []): Promise<Room> {
  const { port } = await startServer(serverArgs);
  const bob = await startClient('bob', port);
  const ann = await joinInTmux(port, { cols: COLS, rows: ROWS });
  await ann.waitForScreen(
    (s) => s.includes('Joined as ann.') && / online {2}rtt /.test(statusOf(s) ?? '') && s.includes('2 online'),
    8000,
    'ann online with 2 peers ("Joined as ann.", "online" in the status line, "2 online")',
  );
  await bob.waitForLine(presence('ann joined'));
  return { port, bob, ann };
}

/** Types a line in ann's client and presses Enter. */
async function say(ann: TmuxSession, text: string): Promise<void> {
  await ann.sendKeys(text);
  await ann.sendKey('Enter');
}

describe('udp-chat full-screen client in tmux (e2e)', function () {
  this.timeout(20_000);

  // tmux first after each test: the client gets SIGHUP and leaves while the server is still there.
  useTmux();

  it('keeps a Cyrillic draft intact while messages arrive, then sends it exactly', async function () {
    const { bob, ann } = await openRoom();
    const typed = ['При', 'вет', ', ', 'мир'];
    for (const [i, part] of typed.entries()) {
      await ann.sendKeys(part);
      bob.write(`incoming ${i + 1} — пока ты печатаешь`);
    }
    // The last keys and bob's last message race to the screen: wait for both (bounded), then check
    // that nothing was lost or reordered on the way.
    const screen = await ann.waitForScreen(
      (text) => text.includes('<bob> incoming 4 — пока ты печатаешь') && draftOf(text) === 'Привет, мир',
      5000,
      'bob\'s 4th message and the whole draft on ann\'s screen',
    );
    for (let i = 1; i <= 4; i++) expect(screen, ann.explain(`lacks bob's message ${i}`)).to.include(`<bob> incoming ${i} — пока ты печатаешь`);
    expect(draftOf(screen), ann.explain('draft after the incoming messages')).to.equal('Привет, мир');

    await ann.sendKey('Enter');
    await bob.waitForLine(messageLine('ann', 'Привет, мир'));
    const after = await ann.waitForScreen(/<ann> Привет, мир/, 5000, 'ann\'s own message in the log');
    expect(draftOf(after), ann.explain('draft after Enter')).to.equal('');
    expect(textsFrom(bob, 'ann')).to.deep.equal(['Привет, мир']);
  });

  it('shows a 20,000-character paste at once while bob\'s messages keep arriving, and nobody is evicted', async function () {
    const { bob, ann } = await openRoom();
    const text = `${'lorem ipsum dolor sit amet '.repeat(760)}THE-END`;
    const started = Date.now();
    await ann.paste(text);
    bob.write('said during the paste');
    // Bounds with room for a loaded machine; before the fix this paste took minutes.
    await ann.waitForScreen((s) => draftOf(s)?.endsWith('THE-END') === true, 1500, 'the end of the paste in the draft');
    const pasted = Date.now() - started;
    await ann.waitForScreen(/<bob> said during the paste/, 1500, 'bob\'s message during the paste');
    expect(pasted, 'ms until the paste showed').to.be.lessThan(1500);
    await ann.waitForScreen(/Enter sends it as several messages/, 2000, 'the large-paste prompt');
    await ann.sendKey('Enter');
    await bob.waitForLine(new RegExp(`^${TIME} ann: .*THE-END$`), 10_000);
    expect(textsFrom(bob, 'ann').join(''), bob.explain('the paste as bob received it')).to.equal(text);
    bob.write('still here?');
    const screen = await ann.waitForScreen(/<bob> still here\?/, 5000, 'bob\'s message after the paste');
    expect(screen).not.to.match(/Lost the server|reconnecting/u);
    expect(bob.stdout.some((l) => / \* ann left/.test(l)), bob.explain('ann evicted')).to.equal(false);
  });

  it('keeps a multi-line paste as one message, sent on Enter', async function () {
    const { bob, ann } = await openRoom();
    await ann.paste('first line\nsecond line');
    await ann.waitForScreen((s) => draftOf(s) === 'first line↵second line', 5000, 'the two-line paste in the draft');
    await ann.sendKey('Enter');
    await bob.waitForLine(/^ {2}\| second line$/);
    const at = bob.stdout.findIndex((l) => / ann: first line$/.test(l));
    expect(bob.stdout[at + 1], bob.explain('the continuation line')).to.equal('  | second line');
    await ann.waitForScreen((s) => {
      const rows = lines(s);
      const at = rows.findIndex((l) => l.includes('<ann> first line'));
      return at >= 0 && /^\S? {6}second line/u.test(rows[at + 1] ?? '');
    }, 5000, 'both lines in ann\'s log, the second under the text');
  });

  it('--plain on a terminal keeps the line being typed intact below lines that arrive', async function () {
    const { port } = await startServer();
    const bob = await startClient('bob', port);
    const ann = await joinInTmux(port, { args: ['--plain'], label: 'ann-plain', env: { NO_COLOR: '1' }, cols: COLS, rows: ROWS });
    await ann.waitForScreen(/\* you joined as ann/, 8000, 'ann joined in line mode');
    await bob.waitForLine(presence('ann joined'));
    await ann.sendKeys('half a li');
    await ann.waitForScreen((s) => lines(s).some((l) => l === '> half a li'), 5000, 'the prompt and the draft');
    bob.write('incoming while ann types');
    // The line arrives, then the prompt is drawn again below it: wait for the screen with both (a
    // capture can fall between the two writes), then check the order.
    const screen = await ann.waitForScreen((s) => {
      const shown = lines(s).filter((l) => l.trim() !== '');
      return shown.some((l) => l.includes('bob: incoming while ann types')) && shown.at(-1)?.startsWith('>') === true;
    }, 5000, 'bob\'s message on ann\'s screen, the prompt below it');
    const rows = lines(screen).filter((l) => l.trim() !== '');
    expect(rows[rows.length - 1], ann.explain('the last line')).to.equal('> half a li');
    expect(rows[rows.length - 2], ann.explain('the line above it')).to.match(new RegExp(`^${TIME} bob: incoming while ann types$`));
    await ann.sendKeys('ne');
    await ann.sendKey('Enter');
    await bob.waitForLine(messageLine('ann', 'half a line'));
    expect(textsFrom(bob, 'ann')).to.deep.equal(['half a line']);
  });

  it('sends emoji (skin tone, flag, ZWJ family) byte for byte', async function () {
    const { bob, ann } = await openRoom();
    const text = 'emoji 👋🏽 🇺🇦 👨‍👩‍👧 end';
    await say(ann, text);
    await bob.waitForLine(messageLine('ann', text));
    expect(textsFrom(bob, 'ann')).to.deep.equal([text]);
    expect(bob.stdoutBytes().includes(Buffer.from(` ann: ${text}\n`, 'utf8')), bob.explain('bytes of the emoji message')).to.equal(true);
    // The log shows it too, and the line after it is not pushed out of place.
    await ann.waitForScreen((s) => s.includes('<ann> emoji') && s.includes(' end'), 5000, 'the emoji message in ann\'s log');
  });

  it('re-sends the previous input with Up, Enter', async function () {
    const { bob, ann } = await openRoom();
    const text = 'once more, with feeling';
    await say(ann, text);
    await bob.waitForLine(messageLine('ann', text));
    await ann.waitForScreen((s) => draftOf(s) === '' && s.includes(`<ann> ${text}`), 5000, 'an empty draft after sending');

    await ann.sendKey('Up');
    await ann.waitForScreen((s) => draftOf(s) === text, 5000, `"${text}" back in the input line after Up`);
    await ann.sendKey('Enter');
    await bob.waitForLines(messageLine('ann', text), 2);
    expect(textsFrom(bob, 'ann')).to.deep.equal([text, text]);
  });

  it('completes a nick with Tab ("bo" → "bob: ") and sends the completed line', async function () {
    const { bob, ann } = await openRoom();
    await ann.sendKeys('bo');
    await ann.waitForScreen((s) => draftOf(s) === 'bo', 5000, 'the draft "bo"');
    await ann.sendKey('Tab');
    await ann.waitForScreen((s) => draftOf(s) === 'bob:', 5000, 'the draft "bob: " after Tab');
    await ann.sendKeys('look at this');
    await ann.waitForScreen((s) => draftOf(s) === 'bob: look at this', 5000, 'the draft "bob: look at this"');
    await ann.sendKey('Enter');
    await bob.waitForLine(messageLine('ann', 'bob: look at this'));
    expect(textsFrom(bob, 'ann')).to.deep.equal(['bob: look at this']);
  });

  it('scrolls back with PageUp (the view stays put while messages arrive) and returns with PageDown', async function () {
    // A burst allowance above 60, so that the server does not pace bob's lines (10/s by default).
    const { bob, ann } = await openRoom(['--burst', '100']);
    const numbered = Array.from({ length: 60 }, (_, i) => `line ${String(i + 1).padStart(2, '0')} of 60`);
    bob.writeLines(numbered);
    const bottom = await ann.waitForScreen(/<bob> line 60 of 60/, 5000, 'line 60 on ann\'s screen');
    const before = visibleNumbers(bottom);
    expect(before, ann.explain('line 01 visible before scrolling')).to.not.include(1);
    const firstBefore = Math.min(...before);

    await ann.sendKey('PPage');
    const up = await ann.waitForScreen((s) => s.includes('PageDown to return'), 5000, 'the "scrolled up" hint after PageUp');
    const afterOne = visibleNumbers(up);
    expect(Math.min(...afterOne), ann.explain(`no line earlier than ${firstBefore} after PageUp`)).to.be.below(firstBefore);
    expect(afterOne, ann.explain('line 60 still visible after PageUp')).to.not.include(60);

    // Further up until line 01 shows (60 lines at ~14 rows a page: a handful of pages).
    let screen = up;
    for (let i = 0; i < 8 && !visibleNumbers(screen).includes(1); i++) {
      await ann.sendKey('PPage');
      const prev = Math.min(...visibleNumbers(screen));
      screen = await ann.waitForScreen((s) => visibleNumbers(s).includes(1) || Math.min(...visibleNumbers(s)) < prev, 5000, 'an earlier page');
    }
    expect(visibleNumbers(screen), ann.explain('line 01 after paging up')).to.include(1);

    // A message arriving while scrolled up does not move the view; the hint counts it.
    bob.write('while you were reading');
    screen = await ann.waitForScreen(/1 new message below/, 5000, 'the "1 new message below" hint');
    expect(visibleNumbers(screen), ann.explain('the view moved when a message arrived')).to.include(1);

    for (let i = 0; i < 10 && !screen.includes('<bob> while you were reading'); i++) {
      await ann.sendKey('NPage');
      const prev = Math.max(...visibleNumbers(screen), 0);
      screen = await ann.waitForScreen((s) => s.includes('<bob> while you were reading') || Math.max(...visibleNumbers(s), 0) > prev, 5000, 'a later page');
    }
    expect(screen, ann.explain('back at the bottom after PageDown')).to.include('<bob> while you were reading');
    expect(screen).to.include('<bob> line 60 of 60');
    expect(screen, ann.explain('hint still shown at the bottom')).to.not.match(/PageDown/);
  });

  it('relayouts on resize, keeps the draft, and chatting still works', async function () {
    const { bob, ann } = await openRoom();
    const draft = 'draft survives resize';
    await ann.sendKeys(draft);
    await ann.waitForScreen((s) => draftOf(s) === draft, 5000, 'the draft before resizing');

    for (const [cols, rows] of [[60, 20], [48, 14], [COLS, ROWS]] as const) {
      await ann.resize(cols, rows);
      expect(await ann.size()).to.deep.equal({ cols, rows });
      const screen = await ann.waitForScreen(
        (s) => {
          const l = lines(s);
          // Status line three rows from the bottom (input box below it), draft intact.
          return l.length === rows && statusOf(s) === l[rows - 4] && draftOf(s) === draft && l.every((row) => row.length <= cols);
        },
        5000,
        `a ${cols}x${rows} layout with the status line above the input box and the draft kept`,
      );
      expect(statusOf(screen), ann.explain('status line')).to.match(/127\.0\.0\.1:\d+ {2}online {2}rtt (\d+ ms|-) {2}as ann/);
      // Narrow: no peer list, the log's title carries the count instead.
      if (cols < 60) expect(screen, ann.explain('narrow layout title')).to.include('udp-chat (2 online)');
      else expect(screen, ann.explain('peer list')).to.include(' 2 online ');
    }

    await ann.sendKey('Enter');
    await bob.waitForLine(messageLine('ann', draft));
    bob.write('got it after the resize');
    await ann.waitForScreen(/<bob> got it after the resize/, 5000, 'bob\'s reply after the resize');
  });

  it('exits 0 on /q and bob sees "ann left (quit)"', async function () {
    const { bob, ann } = await openRoom();
    await say(ann, '/q');
    const screen = await ann.waitForScreen(/EXITED \d+/, 8000, 'the client to exit');
    expect(/EXITED (\d+)/.exec(screen)?.[1], ann.explain('exit code')).to.equal('0');
    await bob.waitForLine(presence('ann left (quit)'));
    expect(textsFrom(bob, 'ann')).to.deep.equal([]); // "/q" is a command, not a message
  });

  it('exits 0 on Ctrl-C and bob sees "ann left (quit)"', async function () {
    const { bob, ann } = await openRoom();
    await ann.sendKey('C-c');
    const screen = await ann.waitForScreen(/EXITED \d+/, 8000, 'the client to exit');
    expect(/EXITED (\d+)/.exec(screen)?.[1], ann.explain('exit code')).to.equal('0');
    await bob.waitForLine(presence('ann left (quit)'));
  });
});
