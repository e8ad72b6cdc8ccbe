/**
 * Private key files (docs/sealed-design.md, "Identities"): a first line naming what the file is,
 * then one `<algorithm> <base64 of 32 bytes>` line per key.
 *
 *     udp-chat server key v1          udp-chat user key v1
 *     x25519 <base64>                 x25519 <base64>
 *     ed25519 <base64>
 *
 * Written atomically with mode 0600 in a 0700 directory; read back only if it is private to its
 * owner, complete and well-formed, else a KeyFileError with a one-line message naming the file.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { ensurePrivateDir } from './paths.js';

export type KeyFileKind = 'server' | 'user';

/** The keys of each kind of file, in file order. */
export const KEY_FILE_KEYS: Record<KeyFileKind, readonly string[]> = {
  server: ['x25519', 'ed25519'],
  user: ['x25519'],
};

const KEY_BYTES = 32;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** A key file that cannot be used; the message is one line for the user. */
export class KeyFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'KeyFileError';
  }
}

function header(kind: KeyFileKind): string {
  return `udp-chat ${kind} key v1`;
}

/** The file's text for these keys (each 32 bytes; our own misuse throws a RangeError). */
export function formatKeyFile(kind: KeyFileKind, keys: Readonly<Record<string, Uint8Array>>): string {
  const lines = KEY_FILE_KEYS[kind].map((name) => {
    const key = keys[name];
    if (key?.length !== KEY_BYTES) throw new RangeError(`${kind} key file: ${name} must be ${KEY_BYTES} bytes`);
    return `${name} ${Buffer.from(key).toString('base64')}`;
  });
  return [header(kind), ...lines, ''].join('\n');
}

/** The keys in a file's text, or the reason it is damaged. Never throws. */
export function parseKeyFile(kind: KeyFileKind, text: string): { keys: Record<string, Buffer> } | { reason: string } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== header(kind)) return { reason: `not a udp-chat ${kind} key file (the first line should be "${header(kind)}")` };
  const names = KEY_FILE_KEYS[kind];
  if (lines.length !== names.length + 1) return { reason: `damaged: expected ${names.length + 1} lines, found ${lines.length}` };
  const keys: Record<string, Buffer> = {};
  for (const [i, name] of names.entries()) {
    const [found, value = '', ...rest] = lines[i + 1]!.split(' ');
    if (found !== name || rest.length > 0 || !BASE64_KEY.test(value)) return { reason: `damaged: line ${i + 2} should be "${name} <32 bytes of base64>"` };
    keys[name] = Buffer.from(value, 'base64');
  }
  return { keys };
}

/**
 * Reads a key file, or undefined if it does not exist. Throws a KeyFileError if it is readable by
 * others, damaged or unreadable.
 */
export async function readKeyFile(path: string, kind: KeyFileKind): Promise<Record<string, Buffer> | undefined> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new KeyFileError(path, 'is not a file');
    if ((info.mode & 0o077) !== 0) {
      throw new KeyFileError(path, `permissions ${(info.mode & 0o777).toString(8).padStart(4, '0')} are too open for a private key: chmod 600 it`);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof KeyFileError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyFileError(path, `cannot be read (${(err as Error).message})`);
  }
  const parsed = parseKeyFile(kind, text);
  if ('reason' in parsed) throw new KeyFileError(path, parsed.reason);
  return parsed.keys;
}

/** Writes a key file atomically (0600, directory 0700). */
export async function writeKeyFile(path: string, kind: KeyFileKind, keys: Readonly<Record<string, Uint8Array>>): Promise<void> {
  const text = formatKeyFile(kind, keys);
  ensurePrivateDir(dirname(path));
  await writeFileAtomic(path, text);
}

/**
 * The keys in `path`, created with `generate()` and written first if the file does not exist.
 * Throws a KeyFileError for a damaged or too open file (never overwritten: that would lose an
 * identity that clients have pinned).
 */
export async function loadOrCreateKeyFile(
  path: string,
  kind: KeyFileKind,
  generate: () => Readonly<Record<string, Uint8Array>>,
): Promise<{ keys: Record<string, Buffer>; created: boolean }> {
  const existing = await readKeyFile(path, kind);
  if (existing !== undefined) return { keys: existing, created: false };
  const fresh = generate();
  await writeKeyFile(path, kind, fresh);
  const keys: Record<string, Buffer> = {};
  for (const name of KEY_FILE_KEYS[kind]) keys[name] = Buffer.from(fresh[name]!);
  return { keys, created: true };
}
