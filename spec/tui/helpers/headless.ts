/**
 * Runs the full-screen client headless: blessed draws into an in-memory stream whose bytes feed a
 * terminal emulator (@xterm/headless with Unicode 11 widths); keys are written to an in-memory
 * input stream. Tests read the emulator's cells, as a user would see them.
 */
import { PassThrough } from 'node:stream';
import xtermHeadless from '@xterm/headless';
import unicode11 from '@xterm/addon-unicode11';
import type { SessionOutcome } from '../../../lib/client/session-outcome.js';
import { runTui } from '../../../lib/tui/run-tui.js';
import { FakeSession, type FakeSessionOptions } from '../../support/fake-session.js';

const { Terminal } = xtermHeadless;
const { Unicode11Addon } = unicode11;
type XTerm = InstanceType<typeof Terminal>;

/** Raw input for the keys tests press. */
export const KEY = {
  enter: '\r',
  tab: '\t',
  shiftTab: '\x1b[Z',
  left: '\x1b[D',
  right: '\x1b[C',
  up: '\x1b[A',
  down: '\x1b[B',
  home: '\x1b[H',
  end: '\x1b[F',
  backspace: '\x7f',
  delete: '\x1b[3~',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  ctrlA: '\x01',
  ctrlC: '\x03',
  ctrlD: '\x04',
  ctrlE: '\x05',
  ctrlK: '\x0b',
  ctrlU: '\x15',
  ctrlW: '\x17',
} as const;

export interface Harness {
  readonly session: FakeSession;
  readonly term: XTerm;
  readonly input: PassThrough;
  readonly output: PassThrough & { columns: number; rows: number; isTTY: boolean };
  /** Resolves with runTui's outcome. */
  readonly exit: Promise<SessionOutcome>;
  /** Everything written to the output so far. */
  written(): string;
  /** Writes one key (raw sequence), then waits a tick. */
  press(...keys: string[]): Promise<void>;
  /** Types text, one character (code point) per keypress. */
  type(text: string): Promise<void>;
  /** The screen, one string per row, wide characters once (their second cell skipped). */
  lines(): string[];
  /** Row y as an array indexed by column: each entry the cell's characters ('' for the tail of a wide one). */
  cells(y: number): string[];
  /** Cursor position in the emulator. */
  cursor(): { x: number; y: number };
  /** Polls until `check` holds (or throws after `timeoutMs`, with the screen in the message). */
  waitFor(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Waits until the screen shows `text`. */
  waitForText(text: string, timeoutMs?: number): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** Quits with Ctrl-C if still running, and tears everything down. */
  dispose(): Promise<void>;
}

export interface HarnessOptions {
  cols?: number;
  rows?: number;
  bell?: boolean;
  session?: FakeSessionOptions;
}

function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for the promise, at most `ms` (the timer is cleared, so nothing lingers after a test). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => { timer = setTimeout(resolve, ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startTui(options: HarnessOptions = {}): Promise<Harness> {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: cols, rows, isTTY: true });
  let all = '';
  let pendingWrites = 0;
  output.on('data', (chunk: Buffer) => {
    const s = chunk.toString('utf8');
    all += s;
    pendingWrites++;
    term.write(s, () => { pendingWrites--; });
  });
  const session = new FakeSession(options.session);
  let finished = false;
  const exit = runTui(session, { bell: options.bell ?? true, input, output, terminal: 'xterm-256color' });
  void exit.then(() => { finished = true; }, () => { finished = true; });
  await tick(10); // blessed adds its key listener on the next tick

  const lines = (): string[] => {
    const out: string[] = [];
    const buf = term.buffer.active;
    for (let y = 0; y < term.rows; y++) out.push(buf.getLine(y)?.translateToString(true) ?? '');
    return out;
  };
  const cells = (y: number): string[] => {
    const line = term.buffer.active.getLine(y);
    const out: string[] = [];
    for (let x = 0; x < term.cols; x++) {
      const cell = line?.getCell(x);
      out.push(cell === undefined ? '' : cell.getWidth() === 0 ? '' : cell.getChars() || ' ');
    }
    return out;
  };
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 50 && pendingWrites > 0; i++) await tick(2);
  };
  const waitFor = async (check: () => boolean, what: string, timeoutMs = 3000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await settle();
      if (check()) return;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; screen:\n${lines().join('\n')}`);
      }
      await tick(10);
    }
  };
  const h: Harness = {
    session,
    term,
    input,
    output,
    exit,
    written: () => all,
    async press(...keys: string[]) {
      for (const k of keys) {
        input.write(k);
        await tick(1);
      }
      await tick(5);
      await settle();
    },
    async type(text: string) {
      for (const ch of text) input.write(ch);
      await tick(5);
      await settle();
    },
    lines,
    cells,
    cursor: () => ({ x: term.buffer.active.cursorX, y: term.buffer.active.cursorY }),
    waitFor,
    waitForText: (text: string, timeoutMs?: number) =>
      waitFor(() => lines().some((l) => l.includes(text)), JSON.stringify(text), timeoutMs),
    async resize(c: number, r: number) {
      output.columns = c;
      output.rows = r;
      term.resize(c, r);
      output.emit('resize');
      await tick(20);
      await settle();
    },
    async dispose() {
      if (!finished) {
        input.write(KEY.ctrlC);
        await within(exit, 2000);
        if (!finished) {
          input.write(KEY.ctrlC);
          await within(exit, 1000);
        }
      }
      input.destroy();
      output.destroy();
      term.dispose();
    },
  };
  return h;
}
