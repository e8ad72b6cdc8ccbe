/** This machine's addresses as discovery needs them (os.networkInterfaces, read at each call). */
import { networkInterfaces } from 'node:os';

/** The IPv4 subnet broadcast address of an address and netmask: `192.168.1.255` of `192.168.1.7/24`. */
export function broadcastOf(address: string, netmask: string): string | undefined {
  const a = address.split('.').map(Number);
  const m = netmask.split('.').map(Number);
  if (a.length !== 4 || m.length !== 4 || [...a, ...m].some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
  // A /32 (or /31) has no broadcast address of its own.
  if ((m[3] as number) >= 254) return undefined;
  return a.map((n, i) => (n | (~(m[i] as number) & 255)) & 255).join('.');
}

/** The broadcast address of every IPv4 interface that is up and not loopback, without duplicates. */
export function broadcastAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      const b = broadcastOf(a.address, a.netmask);
      if (b !== undefined) out.add(b);
    }
  }
  return [...out];
}

/**
 * Addresses other machines can reach this one at: IPv4 and global or unique-local IPv6, not
 * loopback, not link-local (a link-local address needs a zone that a printed hint cannot carry).
 */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4' && !a.address.startsWith('169.254.')) out.push(a.address);
      if (a.family === 'IPv6' && !/^fe[89ab]/i.test(a.address)) out.push(a.address);
    }
  }
  return [...new Set(out)];
}
