/**
 * Finds udp-chat servers on the local networks (docs/protocol.md §5.7): an mDNS browse for
 * `_udp-chat._udp` and DISCOVER broadcasts, at once, for a bounded time. A server is known by the
 * source address and port of what it sent; names and numbers are its claims, bounded and shown
 * escaped by the caller.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import makeMdns from 'multicast-dns';
import type { Packet } from 'dns-packet';
import { decode, encode } from '../protocol/codec.js';
import { NONCE_BYTES } from '../protocol/constants.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { broadcastAddresses } from './interfaces.js';
import { SERVICE_TYPE, sightings } from './mdns-records.js';

/** One server found. */
export interface FoundServer {
  /** Its name as it claims it (OFFER name or mDNS instance), raw: escape before display. */
  name: string;
  address: string;
  port: number;
  users?: number | undefined;
  protocol?: number | undefined;
  passphrase?: boolean | undefined;
  /** How it was found. */
  via: Array<'mdns' | 'broadcast'>;
}

export interface FindOptions {
  /** How long to listen, ms. */
  waitMs: number;
  /** The port DISCOVER goes to (the default server port). */
  port: number;
  /** Browse mDNS (default true). */
  mdns?: boolean;
  /** Send DISCOVER (default true). */
  broadcast?: boolean;
  /** Where DISCOVER goes; default: 127.0.0.1 and every IPv4 interface's broadcast address. */
  targets?: readonly string[];
}

/** When DISCOVER is sent, ms after the start (§2 "Other fixed values"). */
const DISCOVER_AT = [0, 500, 1000];
const MDNS_QUERY_AT = [0, 1000];

class Sightings {
  readonly byKey = new Map<string, FoundServer>();

  add(how: 'mdns' | 'broadcast', s: Omit<FoundServer, 'via'>): void {
    const key = `${s.address}|${s.port}`;
    const old = this.byKey.get(key);
    const seen = new Set([...(old?.via ?? []), how]);
    const via = (['broadcast', 'mdns'] as const).filter((v) => seen.has(v));
    // The OFFER's name is the server's own; an mDNS instance may carry a " (2)" of renaming.
    const name = how === 'broadcast' || old === undefined ? s.name : old.name;
    this.byKey.set(key, { ...old, ...definedOnly(s), address: s.address, port: s.port, name, via });
  }

  remove(address: string, port: number): void {
    this.byKey.delete(`${address}|${port}`);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Listens for `waitMs` and resolves every server found, sorted by name then address. Never rejects. */
export async function findServers(options: FindOptions): Promise<FoundServer[]> {
  const found = new Sightings();
  const timers: NodeJS.Timeout[] = [];
  const closers: Array<() => void> = [];
  const at = (ms: number, fn: () => void): void => {
    if (ms < options.waitMs) timers.push(setTimeout(fn, ms));
  };
  if (options.broadcast !== false) closers.push(probe(options, found, at));
  if (options.mdns !== false) closers.push(browse(found, at));
  await new Promise((resolve) => setTimeout(resolve, options.waitMs));
  for (const t of timers) clearTimeout(t);
  for (const close of closers) close();
  return [...found.byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.address.localeCompare(b.address) || a.port - b.port);
}

function probe(options: FindOptions, found: Sightings, at: (ms: number, fn: () => void) => void): () => void {
  const nonce = randomBytes(NONCE_BYTES);
  const discover = encode({ type: 'discover', nonce });
  const socket = dgram.createSocket('udp4');
  let open = true;
  socket.on('error', () => undefined); // a send refused by the network: the other targets still go
  socket.on('message', (msg, rinfo) => {
    if (rinfo.port === 0) return;
    try {
      const m = decode(msg);
      if (m.type !== 'offer' || !m.nonce.equals(nonce) || m.port !== rinfo.port) return;
      found.add('broadcast', { name: m.name, address: rinfo.address, port: rinfo.port, users: m.users, protocol: m.protocol, passphrase: m.passphrase });
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
    }
  });
  socket.bind(0, () => {
    if (!open) return;
    // Only a bound socket can be switched to broadcast (Node throws EBADF before).
    socket.setBroadcast(true);
    const targets = options.targets ?? ['127.0.0.1', ...broadcastAddresses()];
    for (const ms of DISCOVER_AT) {
      at(ms, () => {
        for (const target of targets) {
          try {
            socket.send(discover, options.port, target);
          } catch {
            // A target Node refuses outright; the others still go.
          }
        }
      });
    }
  });
  return () => {
    open = false;
    socket.close();
  };
}

function browse(found: Sightings, at: (ms: number, fn: () => void) => void): () => void {
  let mdns: ReturnType<typeof makeMdns>;
  try {
    mdns = makeMdns({ reuseAddr: true, loopback: true });
  } catch {
    return () => undefined;
  }
  // No port 5353 or no multicast: the broadcast may still find servers.
  mdns.on('error', () => undefined);
  mdns.on('warning', () => undefined);
  mdns.on('response', (packet: Packet, rinfo) => {
    if (rinfo.port === 0) return;
    for (const s of sightings(packet)) {
      if (s.ttl === 0) found.remove(rinfo.address, s.port);
      else found.add('mdns', { name: s.instance, address: rinfo.address, port: s.port, users: s.users, protocol: s.protocol, passphrase: s.passphrase });
    }
  });
  mdns.on('ready', () => {
    for (const ms of MDNS_QUERY_AT) at(ms, () => mdns.query(SERVICE_TYPE, 'PTR', () => undefined));
  });
  return () => {
    try {
      mdns.destroy();
    } catch {
      // Never bound: nothing to close.
    }
  };
}
