/**
 * The client's trust-on-first-use record of server keys, like OpenSSH's known_hosts
 * (docs/sealed-design.md, "Identities"): one line per server,
 *
 *     <server> x25519 <base64 of the 32-byte static public key>
 *
 * where <server> is `host:port` as the client dials it, lower case, an IPv6 address in brackets
 * (`[2001:db8::7]:7777`). Blank lines and lines starting with `#` are comments. The whole key is
 * kept, not a fingerprint: the IK handshake needs the key before the first message. Pure: text in,
 * text out; the file itself is read and written by the shell.
 */
import { KEY_BYTES } from './primitives.js';

/** One pinned server. */
export interface KnownServer {
  readonly server: string;
  readonly key: Buffer;
}

/** What the record says about a server and the key it presented. */
export type KnownServerVerdict = 'known' | 'new' | 'changed';

export type ParsedKnownServers =
  | { readonly ok: true; readonly servers: readonly KnownServer[] }
  | { readonly ok: false; readonly line: number; readonly reason: string };

const KEY_TYPE = 'x25519';
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** The record name of a server: `host:port`, lower case, IPv6 in brackets. */
export function serverName(host: string, port: number): string {
  const h = host.toLowerCase();
  return h.includes(':') ? `[${h.replace(/^\[|\]$/g, '')}]:${port}` : `${h}:${port}`;
}

/** One line of the file (without the newline). */
export function formatKnownServer(entry: KnownServer): string {
  if (entry.key.length !== KEY_BYTES) throw new RangeError(`a server key is ${KEY_BYTES} bytes`);
  return `${entry.server} ${KEY_TYPE} ${entry.key.toString('base64')}`;
}

/** The whole file: a comment line, then one line per server. */
export function formatKnownServers(servers: readonly KnownServer[]): string {
  return ['# udp-chat known servers: <server> x25519 <static public key, base64>', ...servers.map(formatKnownServer), ''].join('\n');
}

/**
 * Parses the file. A damaged line makes the whole parse fail with its line number and a reason
 * (the caller names the file), so a broken record is never half-trusted. Never throws.
 */
export function parseKnownServers(text: string): ParsedKnownServers {
  const servers: KnownServer[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const fail = (reason: string): ParsedKnownServers => ({ ok: false, line: i + 1, reason });
    if (fields.length !== 3) return fail(`expected "<server> ${KEY_TYPE} <key>", found ${fields.length} fields`);
    const [server = '', type, key = ''] = fields;
    if (!/^(\[[0-9a-f:.]+\]|[^\s:[\]]+):\d{1,5}$/.test(server)) return fail(`"${server}" is not host:port`);
    if (type !== KEY_TYPE) return fail(`unknown key type "${type}"`);
    if (!BASE64_KEY.test(key)) return fail(`the key is not ${KEY_BYTES} bytes of base64`);
    if (seen.has(server)) return fail(`${server} is listed twice`);
    seen.add(server);
    servers.push({ server, key: Buffer.from(key, 'base64') });
  }
  return { ok: true, servers };
}

/** Whether `key` is the one pinned for `server`, a first contact, or a changed key (refuse, warn). */
export function checkKnownServer(servers: readonly KnownServer[], server: string, key: Uint8Array): KnownServerVerdict {
  const entry = servers.find((s) => s.server === server);
  if (entry === undefined) return 'new';
  return entry.key.equals(key) ? 'known' : 'changed';
}

/** The list with `server` pinned to `key` (added, or replaced after --accept-new-key). */
export function pinServer(servers: readonly KnownServer[], server: string, key: Uint8Array): KnownServer[] {
  return [...servers.filter((s) => s.server !== server), { server, key: Buffer.from(key) }];
}
