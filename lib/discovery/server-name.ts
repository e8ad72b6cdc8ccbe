/**
 * The server's name: what `discover` shows, the OFFER carries and the mDNS instance is called
 * (docs/protocol.md §5.7). One DNS label: 1–63 bytes of UTF-8.
 */
import { hostname } from 'node:os';
import { MAX_SERVER_NAME_BYTES } from '../protocol/constants.js';

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a code point. */
export function truncateUtf8(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** The default name: the host name's first label (`lab-pc` of `lab-pc.example.org`), or `udp-chat`. */
export function defaultServerName(host = hostname()): string {
  const label = truncateUtf8(host.split('.')[0] ?? '', MAX_SERVER_NAME_BYTES);
  return label.length > 0 ? label : 'udp-chat';
}

/**
 * Why `name` cannot be a server name, or undefined if it can. A dot cannot appear: the name is
 * one DNS label of the mDNS instance (§5.7).
 */
export function serverNameProblem(name: string): string | undefined {
  if (!name.isWellFormed()) return 'it is not valid Unicode';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes < 1) return 'it is empty';
  if (bytes > MAX_SERVER_NAME_BYTES) return `it is ${bytes} bytes of UTF-8, at most ${MAX_SERVER_NAME_BYTES}`;
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name)) return 'it contains control or format characters';
  if (name.includes('.')) return 'it contains a dot (it is one DNS label of the mDNS announcement)';
  if (name.trim() !== name) return 'it starts or ends with white space';
  return undefined;
}
