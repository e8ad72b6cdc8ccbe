/**
 * `udp-chat join` sealing (docs/protocol.md §5.8, README "Sealed sessions"): the user's key in
 * `~/.config/udp-chat/user.key` (created on first run), the servers' keys in
 * `~/.config/udp-chat/known_servers` (trust on first use, like SSH's known_hosts): a server's key
 * is pinned once a handshake proved it, a changed key is refused unless --accept-new-key.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatClientOptions } from '../client/chat-client.js';
import { parseServerAddress } from '../client/server-address.js';
import { LocalError } from '../protocol/local-error.js';
import { fingerprint } from '../protocol/seal/fingerprint.js';
import { generateUserKey } from '../protocol/seal/identity.js';
import { type KnownServer, formatKnownServers, parseKnownServers, pinServer, serverName } from '../protocol/seal/known-servers.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import { KeyFileError, loadOrCreateKeyFile } from '../state/key-file.js';
import { configHome, ensurePrivateDir } from '../state/paths.js';

export interface ClientSeal {
  /** What ChatClient takes. */
  options: NonNullable<ChatClientOptions['seal']>;
  /** Records a key the handshake proved (first contact or an accepted change); returns the line to tell the user. */
  pin(key: Buffer): Promise<string>;
}

async function readKnownServers(path: string): Promise<KnownServer[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LocalError('UDPCHAT_ERR_STORE_UNAVAILABLE', `${path} cannot be read: ${(err as Error).message}`);
  }
  const parsed = parseKnownServers(text);
  if (!parsed.ok) throw new LocalError('UDPCHAT_ERR_STORE_DAMAGED', `${path} line ${parsed.line}: ${parsed.reason} (fix or remove that line)`);
  return [...parsed.servers];
}

/**
 * The user key, the pinned key for `server`, and how to pin a new one. `serverKey`: the fingerprint
 * given with --server-key (only that key is accepted). Throws a one-line LocalError.
 */
export async function clientSeal(
  server: string,
  opts: { acceptNewKey: boolean; passphrase: string | undefined; serverKey?: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<ClientSeal> {
  // The address first: a bad one is a usage error before anything is written.
  const target = parseServerAddress(server);
  const dir = configHome(env);
  const userPath = join(dir, 'user.key');
  let userKey: Buffer;
  try {
    userKey = (await loadOrCreateKeyFile(userPath, 'user', () => ({ x25519: generateUserKey(randomBytes) }))).keys['x25519']!;
  } catch (err) {
    const reason = err instanceof KeyFileError ? err.message : `${userPath}: ${(err as Error).message}`;
    throw new LocalError(err instanceof KeyFileError ? 'UDPCHAT_ERR_STORE_DAMAGED' : 'UDPCHAT_ERR_STORE_UNAVAILABLE', `your user key ${reason}`);
  }
  const knownPath = join(dir, 'known_servers');
  const name = serverName(target.host, target.port);
  const pinned = (await readKnownServers(knownPath)).find((s) => s.server === name)?.key;
  return {
    options: { userKey, serverKey: pinned, acceptNewKey: opts.acceptNewKey, expectedFingerprint: opts.serverKey, passphrase: opts.passphrase },
    pin: async (key) => {
      const servers = await readKnownServers(knownPath);
      // Read again: another udp-chat of this user may have pinned this server since we started
      // (two terminals joining at once). The same key there is no change, and nothing to write.
      const found = servers.find((s) => s.server === name)?.key;
      const before = found?.equals(key) === true ? undefined : found;
      if (found === undefined || before !== undefined) {
        ensurePrivateDir(dir);
        await writeFileAtomic(knownPath, formatKnownServers(pinServer(servers, name, key)));
      }
      if (opts.serverKey !== undefined) {
        return `the key of ${name} is ${fingerprint(key)}, as given with --server-key (remembered in ${knownPath}${before === undefined ? '' : `; was ${fingerprint(before)}`})`;
      }
      return before === undefined
        ? `first contact with ${name}: its key is ${fingerprint(key)} (remembered in ${knownPath}; compare it with what \`udp-chat serve\` printed)`
        : `the key of ${name} is now ${fingerprint(key)} (was ${fingerprint(before)}; remembered in ${knownPath})`;
    },
  };
}
