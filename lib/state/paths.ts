/**
 * Where udp-chat keeps files (XDG Base Directory): state (server stores) under
 * `$XDG_STATE_HOME/udp-chat`, else `~/.local/state/udp-chat`; configuration and keys under
 * `$XDG_CONFIG_HOME/udp-chat`, else `~/.config/udp-chat`.
 */
import { mkdirSync, chmodSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

const APP = 'udp-chat';
/** Directories are private to their owner. */
export const DIR_MODE = 0o700;
/** Files are readable and writable by their owner only. */
export const FILE_MODE = 0o600;

function home(env: Env): string {
  const h = env['HOME'];
  return h !== undefined && isAbsolute(h) ? h : homedir();
}

// The XDG spec: a relative value is invalid and must be ignored.
function xdg(env: Env, variable: string, fallback: string[]): string {
  const v = env[variable];
  return v !== undefined && v !== '' && isAbsolute(v) ? v : join(home(env), ...fallback);
}

/** `$XDG_STATE_HOME/udp-chat` (else `~/.local/state/udp-chat`). */
export function stateHome(env: Env = process.env): string {
  return join(xdg(env, 'XDG_STATE_HOME', ['.local', 'state']), APP);
}

/** `$XDG_CONFIG_HOME/udp-chat` (else `~/.config/udp-chat`). */
export function configHome(env: Env = process.env): string {
  return join(xdg(env, 'XDG_CONFIG_HOME', ['.config']), APP);
}

/**
 * The directory name of a server's store: `port-<port>`, or the server's `--name` with every
 * character other than letters, digits, `.`, `_` and `-` replaced by `_` (and never hidden).
 * Throws a one-line Error for an empty name.
 */
export function storeName(opts: { name?: string | undefined; port: number }): string {
  if (opts.name === undefined) return `port-${opts.port}`;
  const cleaned = opts.name.trim().replace(/[^\p{L}\p{N}._-]/gu, '_');
  if (cleaned === '') throw new Error('--name must not be empty');
  return cleaned.startsWith('.') ? `_${cleaned}` : cleaned;
}

/** The default store directory of a server: `<stateHome>/servers/<storeName>`. */
export function defaultStoreDir(opts: { name?: string | undefined; port: number }, env: Env = process.env): string {
  return join(stateHome(env), 'servers', storeName(opts));
}

/**
 * Creates `dir` (and missing parents) with mode 0700. An existing directory keeps its mode,
 * except that one this program owns and created loosely is tightened (the umask may have widened it).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const st = statSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (typeof process.getuid === 'function' && st.uid === process.getuid() && (st.mode & 0o077) !== 0) chmodSync(dir, DIR_MODE);
}
