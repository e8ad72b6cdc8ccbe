/**
 * DNS-SD records of a udp-chat server and their reading (docs/protocol.md §5.7). Pure: packets in,
 * records out; the sockets are in announcer.ts and browse.ts. Everything read from a packet is
 * untrusted: wrong types, missing records and oversized values are skipped, never thrown.
 */
import type { Answer, Packet, Question } from 'dns-packet';
import { MAX_SERVER_NAME_BYTES, VERSION } from '../protocol/constants.js';

/** The service type, in domain `local`. */
export const SERVICE_TYPE = '_udp-chat._udp.local';
/** DNS-SD service-type enumeration (RFC 6763 §9). */
export const SERVICES_META = '_services._dns-sd._udp.local';
/** TTLs of RFC 6762 §10: host records 120 s, the others 75 min. */
const HOST_TTL = 120;
const OTHER_TTL = 4500;
/** Most TXT strings and bytes looked at in one record (ours has three short ones). */
const MAX_TXT_STRINGS = 16;
const MAX_TXT_VALUE = 32;

/** What a server announces. */
export interface ServiceInfo {
  /** The instance label (the server name, §5.7). */
  instance: string;
  port: number;
  /** Target host name, ending in `.local`. */
  host: string;
  /** IPv4 and IPv6 addresses of the host records. */
  addresses: readonly string[];
  users: number;
  passphrase: boolean;
}

/** A server seen in one mDNS response. */
export interface MdnsSighting {
  instance: string;
  port: number;
  /** Seconds; 0 is a goodbye. */
  ttl: number;
  protocol?: number | undefined;
  users?: number | undefined;
  passphrase?: boolean | undefined;
}

export function instanceFqdn(instance: string): string {
  return `${instance}.${SERVICE_TYPE}`;
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The TXT strings of §5.7. */
export function txtStrings(info: Pick<ServiceInfo, 'users' | 'passphrase'>): Buffer[] {
  return [`v=${VERSION}`, `users=${info.users}`, `pass=${info.passphrase ? 1 : 0}`].map((s) => Buffer.from(s, 'utf8'));
}

/** Every record of the service: PTRs, SRV, TXT, A/AAAA (all with `ttl` if given: 0 is the goodbye). */
export function serviceRecords(info: ServiceInfo, ttl?: number): Answer[] {
  const fqdn = instanceFqdn(info.instance);
  const other = ttl ?? OTHER_TTL;
  const host = ttl ?? HOST_TTL;
  const records: Answer[] = [
    { name: SERVICE_TYPE, type: 'PTR', ttl: other, data: fqdn },
    { name: SERVICES_META, type: 'PTR', ttl: other, data: SERVICE_TYPE },
    { name: fqdn, type: 'SRV', ttl: host, flush: true, data: { port: info.port, target: info.host, priority: 0, weight: 0 } },
    { name: fqdn, type: 'TXT', ttl: other, flush: true, data: txtStrings(info) },
  ];
  for (const address of info.addresses) {
    records.push({ name: info.host, type: address.includes(':') ? 'AAAA' : 'A', ttl: host, flush: true, data: address });
  }
  return records;
}

/** The records that answer these questions (empty if none is about this service). */
export function answersFor(questions: readonly Question[], info: ServiceInfo): Answer[] {
  const all = serviceRecords(info);
  const out = new Set<Answer>();
  for (const q of questions) {
    for (const r of all) {
      if (!same(r.name, q.name)) continue;
      // dns-packet types questions as RecordType, but 'ANY' (255) is what queries ask.
      if ((q.type as string) === 'ANY' || q.type === r.type) out.add(r);
    }
  }
  // A PTR answer brings its SRV, TXT and addresses along (RFC 6763 §12.1).
  if ([...out].some((r) => r.type === 'PTR' && same(r.name, SERVICE_TYPE))) for (const r of all) if (r.name !== SERVICES_META) out.add(r);
  return [...out];
}

/** True if a response (not ours) holds a record for this instance name: someone else has it. */
export function claimsName(packet: Packet, instance: string): boolean {
  const fqdn = instanceFqdn(instance);
  return [...(packet.answers ?? []), ...(packet.additionals ?? [])].some((r) => typeof r.name === 'string' && same(r.name, fqdn));
}

function txtPairs(data: unknown): Map<string, string> {
  const pairs = new Map<string, string>();
  const list = Array.isArray(data) ? data : [data];
  for (const item of list.slice(0, MAX_TXT_STRINGS)) {
    const text = Buffer.isBuffer(item) ? item.subarray(0, 64).toString('latin1') : typeof item === 'string' ? item.slice(0, 64) : '';
    const eq = text.indexOf('=');
    if (eq <= 0) continue;
    const key = text.slice(0, eq).toLowerCase();
    if (!pairs.has(key)) pairs.set(key, text.slice(eq + 1, eq + 1 + MAX_TXT_VALUE));
  }
  return pairs;
}

function smallInt(value: string | undefined, max: number): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
}

/** The udp-chat servers one response describes (PTR with its SRV in the same packet). */
export function sightings(packet: Packet): MdnsSighting[] {
  const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])];
  const out: MdnsSighting[] = [];
  const suffix = `.${SERVICE_TYPE}`;
  for (const ptr of records) {
    if (ptr.type !== 'PTR' || typeof ptr.name !== 'string' || !same(ptr.name, SERVICE_TYPE) || typeof ptr.data !== 'string') continue;
    const fqdn = ptr.data;
    if (!fqdn.toLowerCase().endsWith(suffix)) continue;
    const instance = fqdn.slice(0, -suffix.length);
    if (instance.length === 0 || Buffer.byteLength(instance, 'utf8') > 4 * MAX_SERVER_NAME_BYTES) continue;
    const srv = records.find((r) => r.type === 'SRV' && typeof r.name === 'string' && same(r.name, fqdn));
    const port = srv?.type === 'SRV' && typeof srv.data === 'object' && srv.data !== null ? srv.data.port : undefined;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) continue;
    const txt = records.find((r) => r.type === 'TXT' && typeof r.name === 'string' && same(r.name, fqdn));
    const pairs = txtPairs(txt?.type === 'TXT' ? txt.data : undefined);
    const pass = pairs.get('pass');
    out.push({
      instance,
      port,
      ttl: typeof ptr.ttl === 'number' ? ptr.ttl : 0,
      protocol: smallInt(pairs.get('v'), 255),
      users: smallInt(pairs.get('users'), 0xffff_ffff),
      passphrase: pass === '1' ? true : pass === '0' ? false : undefined,
    });
  }
  return out;
}
