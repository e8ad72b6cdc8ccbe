/**
 * The real `udp-chat join` in a real terminal, for the end-to-end specs of the front ends: the
 * mocha hooks every tmux suite shares (tmux required; afterwards tmux, then every process, cleaned
 * up, with screens and output printed for a failed test) and a client started under a shell in
 * tmux. Built on tmux.ts (any program in tmux) and processes.ts (servers and line-mode peers).
 *
 * `npm test` builds dist/ first; when running a tmux spec by hand, run `npm run build` first.
 */
import { CLI_PATH, REPO_ROOT, cleanupAll } from './processes.js';
import { cleanupTmux, requireTmux, startTmux, type TmuxSession } from './tmux.js';

/** `s` as one word for `sh -c` (quoted only when it needs to be). */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Registers the hooks of a tmux suite; call it in the suite's `describe`. Without tmux the suite
 * fails, it is not skipped. After each test tmux goes first: the client gets SIGHUP and leaves
 * while the server is still there; then every server and peer (processes.ts).
 */
export function useTmux(): void {
  before(function () {
    requireTmux();
  });

  afterEach(async function () {
    const failed = this.currentTest?.state === 'failed';
    await cleanupTmux({ dumpScreen: failed });
    await cleanupAll({ dumpOutput: failed });
  });
}

export interface TmuxJoinOptions {
  nick?: string;
  /** More arguments for `udp-chat join` (e.g. `--plain`). */
  args?: readonly string[];
  cols?: number;
  rows?: number;
  /** Set for the client besides TERM=xterm-256color. */
  env?: Readonly<Record<string, string>>;
  /** The tmux server's label (default: the nick). */
  label?: string;
}

/**
 * Starts `udp-chat join --nick <nick> --server 127.0.0.1:<port> …` in tmux (90×22 unless told).
 * The shell stays after the client, so that its exit code can be read off the screen
 * ("EXITED <code>").
 */
export function joinInTmux(port: number, options: TmuxJoinOptions = {}): Promise<TmuxSession> {
  const nick = options.nick ?? 'ann';
  const join = [process.execPath, CLI_PATH, 'join', '--nick', nick, '--server', `127.0.0.1:${port}`, ...(options.args ?? [])].map(shellQuote).join(' ');
  return startTmux({
    label: options.label ?? nick,
    command: ['sh', '-c', `${join}; echo EXITED $?; sleep 30`],
    env: { TERM: 'xterm-256color', ...options.env },
    cols: options.cols ?? 90,
    rows: options.rows ?? 22,
    cwd: REPO_ROOT,
  });
}
