/**
 * `udp-chat serve` sealing (docs/protocol.md §5.8, README "Sealed sessions"): the server's
 * long-term keys in `server.key` beside its store (0600 in a 0700 directory, written atomically;
 * a damaged or too open file is a one-line error, never overwritten), its fingerprint, and the
 * psk of `--passphrase` / `UDP_CHAT_PASSPHRASE`.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { LocalError } from '../protocol/local-error.js';
import { fingerprint } from '../protocol/seal/fingerprint.js';
import { type ServerKeys, generateServerKeys, serverPublicKeys } from '../protocol/seal/identity.js';
import { derivePsk } from '../protocol/seal/psk.js';
import { KeyFileError, loadOrCreateKeyFile } from '../state/key-file.js';
import { stateHome } from '../state/paths.js';
import type { StoreArgs } from './serve-store.js';

export interface SealArgs {
  passphrase: string | undefined;
  'allow-cleartext': boolean;
}

export const PASSPHRASE_ENV = 'UDP_CHAT_PASSPHRASE';

/** Adds --passphrase to a command (serve and join). */
export function passphraseOption<T>(y: Argv<T>, describe: string): Argv<T> {
  return y.option('passphrase', { type: 'string', describe: `${describe} (or set ${PASSPHRASE_ENV}, which other users cannot see in the process list)` }) as unknown as Argv<T>;
}

/** The passphrase from --passphrase, else the environment; undefined for none. Throws a usage error for an empty one. */
export function passphraseOf(a: { passphrase?: string | undefined }, env: NodeJS.ProcessEnv): string | undefined {
  if (Array.isArray(a.passphrase)) throw new Error('--passphrase was given more than once');
  const p = a.passphrase ?? env[PASSPHRASE_ENV];
  if (p === undefined) return undefined;
  if (p.length === 0) throw new Error(`the passphrase (--passphrase or ${PASSPHRASE_ENV}) must not be empty`);
  return p;
}

/**
 * Where `server.key` lives: in the store directory given with --data, else in the per-user state
 * directory (`$XDG_STATE_HOME/udp-chat/server.key`), one key for every server this user runs on
 * this machine whatever its port or name, as an SSH host key is one per machine: a server
 * restarted on another port, or with --no-persist, is still recognised by its clients.
 */
export function keyDirFor(a: StoreArgs, env: NodeJS.ProcessEnv): string {
  if (a.data !== undefined && a.data !== 'none') return resolve(a.data);
  return stateHome(env);
}

export interface ServerSeal {
  keys: ServerKeys;
  psk: Buffer | undefined;
  /** The line `serve` prints about its key. */
  line: string;
}

/** Loads (or creates) the server's keys and derives the psk. Throws a LocalError with one line. */
export async function serverSeal(dir: string, passphrase: string | undefined): Promise<ServerSeal> {
  const path = join(dir, 'server.key');
  let keys: ServerKeys;
  let created: boolean;
  try {
    const loaded = await loadOrCreateKeyFile(path, 'server', () => ({ ...generateServerKeys(randomBytes) }));
    keys = { x25519: loaded.keys['x25519']!, ed25519: loaded.keys['ed25519']! };
    created = loaded.created;
  } catch (err) {
    if (err instanceof KeyFileError) throw new LocalError('UDPCHAT_ERR_STORE_DAMAGED', `server key ${err.message}`);
    throw new LocalError('UDPCHAT_ERR_STORE_UNAVAILABLE', `server key ${path}: ${(err as Error).message}`);
  }
  const publicKey = serverPublicKeys(keys).x25519;
  const psk = passphrase === undefined ? undefined : await derivePsk(passphrase, publicKey);
  const line = `  server key: ${fingerprint(publicKey)} (${path}${created ? ', created now' : ''})${psk === undefined ? '' : '; passphrase required'}`;
  return { keys, psk, line };
}
