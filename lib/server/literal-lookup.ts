/**
 * The server socket's address lookup (dgram's `lookup` option). The server sends only to addresses
 * datagrams came from, IP literals, and answers them at once.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';

/** IP literals seen lately (bounded): sends go to the addresses of the sessions, again and again. */
const literals = new Set<string>();
const MAX_LITERALS = 4_096;

/**
 * The socket's address lookup: the server sends only to addresses datagrams came from (IP
 * literals), answered at once. dgram's default (dns.lookup) tests the literal with a regular
 * expression and defers every single send to the next tick: at one datagram per member per
 * message, a measurable share of the server's CPU. Anything else goes to dns.lookup.
 */
export function literalLookup(hostname: string, options: dns.LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  if (literals.has(hostname)) return callback(null, hostname, hostname.includes(':') ? 6 : 4);
  const family = isIP(hostname);
  if (family === 0) return dns.lookup(hostname, options as dns.LookupOneOptions, callback);
  if (literals.size >= MAX_LITERALS) literals.clear();
  literals.add(hostname);
  callback(null, hostname, family);
}
