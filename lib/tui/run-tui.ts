/**
 * Entry point of the full-screen client: `udp-chat join` calls this on a terminal after it has
 * created the session and called `session.join()`.
 */
import type { SessionOutcome } from '../client/session-outcome.js';
import type { RoomsSession } from '../client/rooms-api.js';
import { captureStderr } from './stderr-guard.js';
import { TuiApp } from './tui-app.js';

export interface RunTuiOptions {
  /** Ring the terminal bell on a mention (`--no-bell` turns it off). */
  bell: boolean;
  /** Defaults to process.stdin. */
  input?: NodeJS.ReadableStream;
  /** Defaults to process.stdout. */
  output?: NodeJS.WritableStream;
  /**
   * terminfo name blessed uses. Defaults to xterm-256color whatever $TERM says: blessed cannot
   * parse tmux-256color and prints terminfo errors for screen-256color.
   */
  terminal?: string;
  /** Rooms named by `join --room`: the first is shown when it opens. */
  rooms?: readonly string[];
}

const LEAVE_TIMEOUT_MS = 10_000;
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs the UI until the user quits (/quit, /q, Ctrl-C, Ctrl-D on an empty line, or SIGINT,
 * SIGTERM, SIGHUP, or the input ends), then awaits `session.leave()` (bounded; a second Ctrl-C skips the wait),
 * restores the terminal and resolves with the outcome: 'left', 'cut-off' when the session had been
 * closed by the other side before the user quit, 'undelivered' when the user discarded messages not
 * yet delivered (lib/cli/exit-codes.ts turns it into the exit code). Never calls process.exit.
 *
 * While it runs, whatever is written to process.stderr is held back when stderr is a terminal (it
 * would land on the screen) and written out after the terminal is restored.
 */
export async function runTui(session: RoomsSession, options: RunTuiOptions): Promise<SessionOutcome> {
  const output = options.output ?? process.stdout;
  const input = options.input ?? process.stdin;
  const guard = process.stderr.isTTY === true ? captureStderr() : undefined;
  let app: TuiApp;
  try {
    app = new TuiApp(session, {
      bell: options.bell,
      input,
      output,
      terminal: options.terminal ?? 'xterm-256color',
      mouse: true,
      leaveTimeoutMs: LEAVE_TIMEOUT_MS,
      rooms: options.rooms ?? [],
    });
  } catch (err) {
    guard?.release({ replay: true });
    throw err;
  }
  // Blessed's terminfo compiler complains on stderr while the screen is set up: not worth showing.
  guard?.discardSoFar();
  const onSignal = (): void => {
    void app.quit();
  };
  // The terminal went away (hang-up): nothing left to draw on, leave without waiting.
  const onStreamGone = (): void => {
    void app.quit();
  };
  const onStreamError = (): void => app.finish();
  for (const s of SIGNALS) process.on(s, onSignal);
  input.on('end', onStreamGone);
  input.on('error', onStreamError);
  output.on('error', onStreamError);
  try {
    return await app.done;
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
    input.off('end', onStreamGone);
    guard?.release({ replay: true });
    // Writes that failed while restoring report their errors a little later.
    setTimeout(() => {
      input.off('error', onStreamError);
      output.off('error', onStreamError);
    }, 1000).unref();
  }
}
