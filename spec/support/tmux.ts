/**
 * Drives a program in a real terminal: a private tmux server (`tmux -L <unique name>`, no user
 * config) with one window of a given size. Text goes in with `send-keys -l` (literal) or as named
 * keys, the screen comes back with `capture-pane -p`, and waits poll the screen with a bound and
 * print the last screen when they time out. A registry lets `cleanupTmux()` (call it from
 * `afterEach`) kill every server, the programs in its panes, and remove its socket.
 *
 * Note: capture-pane shows blessed's line-drawing borders as VT100 letters (`lqqk x mqj`); assert
 * on text, not on borders.
 */
import './isolated-xdg.js';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TMUX_CALL_TIMEOUT_MS = 5000;
const DEFAULT_WAIT_MS = 5000;
const POLL_MS = 50;
const PANE_EXIT_GRACE_MS = 3000;

export const TMUX_MISSING = 'tmux not installed: apt-get install -y tmux';

/**
 * The tmux version (e.g. "tmux 3.3a"). Throws, loudly, when tmux is not installed or too old for
 * `resize-window` (3.0): the terminal specs must not be skipped silently.
 */
export function requireTmux(): string {
  let version: string;
  try {
    version = execFileSync('tmux', ['-V'], { encoding: 'utf8', timeout: TMUX_CALL_TIMEOUT_MS }).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? TMUX_MISSING : `${TMUX_MISSING} (\`tmux -V\` failed: ${String(err)})`);
  }
  const major = Number(/(\d+)\./.exec(version)?.[1] ?? '0');
  if (major < 3) throw new Error(`${version} is too old (resize-window needs tmux 3.0 or later): apt-get install -y tmux`);
  return version;
}

export interface TmuxOptions {
  /** The program and its arguments (executed directly, not through a shell). */
  command: readonly string[];
  cols: number;
  rows: number;
  /** Set for the program (through `env`: tmux itself forces TERM to its default-terminal). */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** A word for the server name and error messages. */
  label?: string;
}

export type ScreenMatcher = RegExp | ((screen: string) => boolean);

let counter = 0;

/** A private tmux server with one session, one window, one pane. */
export class TmuxSession {
  readonly name: string;
  /** The last screen captured (for error messages). */
  lastScreen = '';
  private socketPath: string | undefined;
  private panePid: number | undefined;
  private killed = false;

  private constructor(readonly options: TmuxOptions) {
    const label = (options.label ?? 'pane').replace(/[^A-Za-z0-9_-]/g, '');
    this.name = `udpchat-${label}-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`;
  }

  /** Starts the server, the session and the program; registers it for cleanup. */
  static async start(options: TmuxOptions): Promise<TmuxSession> {
    const session = new TmuxSession(options);
    registry.add(session);
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const argv = env.length > 0 ? ['env', ...env, ...options.command] : [...options.command];
    await session.tmux([
      '-f', '/dev/null',
      'new-session', '-d', '-s', 'main',
      '-x', String(options.cols), '-y', String(options.rows),
      ...(options.cwd !== undefined ? ['-c', options.cwd] : []),
      ...argv,
    ]);
    const info = (await session.tmux(['display-message', '-p', '-t', 'main', '#{socket_path} #{pane_pid}'])).trim();
    const space = info.lastIndexOf(' ');
    session.socketPath = info.slice(0, space);
    const pid = Number(info.slice(space + 1));
    if (Number.isInteger(pid) && pid > 0) session.panePid = pid;
    return session;
  }

  /** Types text as is (`send-keys -l`: words like "Enter" are not read as keys). */
  async sendKeys(text: string): Promise<void> {
    await this.tmux(['send-keys', '-t', 'main', '-l', '--', text]);
  }

  /**
   * Pastes text as a terminal does: through a tmux buffer with `paste-buffer -p`, which wraps it
   * in bracketed-paste markers when the program asked for them (and sends it in one go).
   */
  async paste(text: string): Promise<void> {
    // Through a file: tmux refuses long command lines.
    const dir = mkdtempSync(join(tmpdir(), 'udpchat-paste-'));
    try {
      writeFileSync(join(dir, 'paste'), text);
      await this.tmux(['load-buffer', '-b', 'spec-paste', join(dir, 'paste')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await this.tmux(['paste-buffer', '-p', '-d', '-b', 'spec-paste', '-t', 'main']);
  }

  /** Presses named keys, one after the other: 'Enter', 'Up', 'Tab', 'PPage', 'NPage', 'C-c' … */
  async sendKey(...names: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', 'main', ...names]);
  }

  /** The visible screen as text, one line per row (trailing blanks trimmed by tmux). */
  async capture(): Promise<string> {
    this.lastScreen = await this.tmux(['capture-pane', '-p', '-t', 'main']);
    return this.lastScreen;
  }

  /**
   * Polls the screen until it matches; resolves with that screen. Rejects after `timeoutMs` with
   * the last screen in the message.
   */
  async waitForScreen(matcher: ScreenMatcher, timeoutMs = DEFAULT_WAIT_MS, what?: string): Promise<string> {
    const started = Date.now();
    for (;;) {
      const screen = await this.capture();
      if (typeof matcher === 'function' ? matcher(screen) : matcher.test(screen)) return screen;
      if (Date.now() - started >= timeoutMs) {
        const wanted = what ?? (typeof matcher === 'function' ? `a screen satisfying ${matcher.name || 'a predicate'}` : `a screen matching ${matcher}`);
        throw new Error(this.explain(`timed out after ${Date.now() - started} ms waiting for ${wanted}`));
      }
      await sleep(POLL_MS);
    }
  }

  /** Resizes the window (and the pane in it); the program gets SIGWINCH. */
  async resize(cols: number, rows: number): Promise<void> {
    await this.tmux(['resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)]);
  }

  /** The window size as tmux sees it. */
  async size(): Promise<{ cols: number; rows: number }> {
    const out = (await this.tmux(['display-message', '-p', '-t', 'main', '#{window_width} #{window_height}'])).trim();
    const [cols, rows] = out.split(' ').map(Number);
    return { cols: cols ?? 0, rows: rows ?? 0 };
  }

  /** A headline with the last screen framed, for error messages. */
  explain(headline: string): string {
    const { cols, rows } = this.options;
    const rule = '-'.repeat(Math.min(cols, 100));
    const body = this.lastScreen.replace(/\n$/, '').split('\n').map((l) => `    |${l}`).join('\n');
    return `${this.options.label ?? 'pane'} in tmux -L ${this.name} (${cols}x${rows} at start; ${this.options.command.join(' ')}) ${headline}\n  last screen:\n    +${rule}\n${body}\n    +${rule}`;
  }

  /**
   * Kills the tmux server (the programs in the pane get SIGHUP), waits a bounded time for the
   * pane's process group to end (SIGKILL after that), and removes the socket. Idempotent.
   */
  async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    registry.delete(this);
    await this.tmux(['kill-server']).catch(() => undefined);
    if (this.panePid !== undefined) await endProcessGroup(this.panePid, PANE_EXIT_GRACE_MS);
    if (this.socketPath !== undefined && existsSync(this.socketPath)) rmSync(this.socketPath, { force: true });
  }

  private tmux(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('tmux', ['-L', this.name, ...args], { encoding: 'utf8', timeout: TMUX_CALL_TIMEOUT_MS }, (err, stdout, stderr) => {
        if (err) {
          const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
          reject(new Error(missing ? TMUX_MISSING : `tmux -L ${this.name} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
        } else {
          resolve(stdout);
        }
      });
    });
  }
}

const registry = new Set<TmuxSession>();

/** Starts a program in a fresh private tmux server (see TmuxSession). */
export function startTmux(options: TmuxOptions): Promise<TmuxSession> {
  return TmuxSession.start(options);
}

/**
 * Kills every tmux server still registered. With `dumpScreen`, prints each last screen first
 * (pass `this.currentTest?.state === 'failed'`).
 */
export async function cleanupTmux(options: { dumpScreen?: boolean } = {}): Promise<void> {
  const sessions = [...registry];
  if (options.dumpScreen) {
    for (const s of sessions) {
      await s.capture().catch(() => undefined);
      console.log(s.explain('at the failure'));
    }
  }
  await Promise.all(sessions.map((s) => s.kill()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Live (not zombie) processes in process group `pgid`, from /proc; undefined where there is no /proc. */
function liveMembers(pgid: number): number[] | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(entry));
  }
  return out;
}

function groupAlive(pgid: number): boolean {
  const members = liveMembers(pgid);
  if (members !== undefined) return members.length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to `graceMs` for the group to end by itself (it got SIGHUP), then SIGKILLs it. */
async function endProcessGroup(pgid: number, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
      return;
    }
    await sleep(POLL_MS);
  }
}
