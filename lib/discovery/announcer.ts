/**
 * Announces a running server by DNS-SD over mDNS (docs/protocol.md §5.7) with `multicast-dns`:
 * probes for its instance name (renaming on a conflict), announces twice, answers queries, and
 * says goodbye (TTL 0) on stop. It never throws and never holds the server up: without an
 * interface, a multicast route or port 5353 it logs one line and stays quiet.
 */
import { randomBytes } from 'node:crypto';
import makeMdns from 'multicast-dns';
import type { Packet, RecordType } from 'dns-packet';
import type { RemoteInfo } from 'node:dgram';
import { MAX_SERVER_NAME_BYTES } from '../protocol/constants.js';
import { lanAddresses } from './interfaces.js';
import { answersFor, claimsName, instanceFqdn, type ServiceInfo, serviceRecords } from './mdns-records.js';
import { truncateUtf8 } from './server-name.js';

export interface AnnouncerOptions {
  /** The server name; the instance becomes `name (2)` … if another host has it. */
  name: string;
  port: number;
  /** The address the server is bound to; a wildcard (0.0.0.0, ::) announces every LAN address. */
  host: string;
  /** Users online now (read when an answer is made). */
  users(): number;
  /** Joining needs a passphrase (TXT `pass=1`, docs/protocol.md §5.7). */
  passphrase: boolean;
  /** One line of log (errors and the final name). */
  log(line: string): void;
  /** Called once, when the first announcement under the chosen name has been sent. */
  onAnnounced?(instance: string): void;
}

const MDNS_PORT = 5353;
const PROBE_GAP_MS = 250;
const PROBES = 3;
const MAX_RENAMES = 20;
const GOODBYE_WAIT_MS = 500;
/** RFC 6762 §6: a record is multicast at most once a second (so a flood of queries costs little). */
const MULTICAST_GAP_MS = 1000;
/** Answers sent straight to a one-shot querier: at most this many a second over all of them. */
const UNICAST_PER_SECOND = 10;

type Mdns = ReturnType<typeof makeMdns>;

export class Announcer {
  /** The instance name once announced. */
  instance: string | undefined;
  private mdns: Mdns | undefined;
  private candidate: string;
  private attempt = 1;
  private probing = false;
  private conflict = false;
  private stopped = false;
  private warned = false;
  private reported = false;
  private lastMulticast = -Infinity;
  private unicastWindow = { start: -Infinity, count: 0 };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly host = `udp-chat-${randomBytes(3).toString('hex')}.local`;

  constructor(private readonly options: AnnouncerOptions) {
    this.candidate = options.name;
    try {
      this.mdns = makeMdns({ reuseAddr: true, loopback: true });
    } catch (err) {
      this.fail(err);
      return;
    }
    this.mdns.on('error', (err: Error) => this.fail(err));
    this.mdns.on('warning', (err: Error) => this.warn(err));
    this.mdns.on('ready', () => this.probe());
    this.mdns.on('query', (q: Packet, rinfo: RemoteInfo) => this.onQuery(q, rinfo));
    this.mdns.on('response', (p: Packet) => this.onResponse(p));
  }

  private info(): ServiceInfo {
    const wildcard = this.options.host === '0.0.0.0' || this.options.host === '::';
    return {
      instance: this.instance ?? this.candidate,
      port: this.options.port,
      host: this.host,
      addresses: wildcard ? lanAddresses() : [this.options.host],
      users: this.options.users(),
      passphrase: this.options.passphrase,
    };
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  /** RFC 6762 §8.1: ask three times, 250 ms apart, whether anyone has the name. */
  private probe(): void {
    this.probing = true;
    this.conflict = false;
    const fqdn = instanceFqdn(this.candidate);
    for (let i = 0; i < PROBES; i++) {
      this.later(i * PROBE_GAP_MS, () => this.mdns?.query(fqdn, 'ANY' as RecordType, (err: Error | null) => this.sent(err)));
    }
    this.later(PROBES * PROBE_GAP_MS, () => {
      this.probing = false;
      if (!this.conflict) return this.announce();
      if (++this.attempt > MAX_RENAMES) return this.options.log(`mDNS: every name up to "${this.candidate}" is taken; not announced`);
      const suffix = ` (${this.attempt})`;
      this.candidate = truncateUtf8(this.options.name, MAX_SERVER_NAME_BYTES - suffix.length) + suffix;
      this.probe();
    });
  }

  private announce(): void {
    this.instance = this.candidate;
    const announced = (err: Error | null): void => {
      if (err) return this.sent(err);
      if (this.reported || this.instance === undefined) return;
      this.reported = true;
      this.options.onAnnounced?.(this.instance);
    };
    this.mdns?.respond(serviceRecords(this.info()), announced);
    this.later(1000, () => this.mdns?.respond(serviceRecords(this.info()), announced));
  }

  private onResponse(packet: Packet): void {
    if (this.probing && claimsName(packet, this.candidate)) this.conflict = true;
  }

  private onQuery(query: Packet, rinfo: RemoteInfo): void {
    if (this.instance === undefined || this.stopped) return;
    const answers = answersFor(query.questions ?? [], this.info());
    if (answers.length === 0) return;
    const now = Date.now();
    if (rinfo.port === MDNS_PORT) {
      if (now - this.lastMulticast < MULTICAST_GAP_MS) return;
      this.lastMulticast = now;
      this.mdns?.respond({ answers }, (err: Error | null) => this.sent(err));
      return;
    }
    // A forged source could aim these at someone else: few, and never larger than a few records.
    if (now - this.unicastWindow.start >= 1000) this.unicastWindow = { start: now, count: 0 };
    if (++this.unicastWindow.count > UNICAST_PER_SECOND) return;
    // A one-shot (legacy unicast) query: answer it directly, with its id and question, short TTLs (RFC 6762 §6.7).
    const short = answers.map((a) => (a.type === 'OPT' ? a : { ...a, ttl: Math.min(a.ttl ?? 10, 10), flush: false }));
    this.mdns?.respond({ id: query.id ?? 0, questions: query.questions ?? [], answers: short }, { port: rinfo.port, address: rinfo.address }, (err: Error | null) => this.sent(err));
  }

  private sent(err: Error | null | undefined): void {
    if (err) this.warn(err);
  }

  private warn(err: Error): void {
    if (this.warned || this.stopped) return;
    this.warned = true;
    this.options.log(`mDNS: ${err.message} — the announcement may not reach the network (DISCOVER broadcasts are still answered)`);
  }

  private fail(err: unknown): void {
    if (this.stopped) return;
    this.options.log(`mDNS: not announced (${err instanceof Error ? err.message : String(err)}); DISCOVER broadcasts are still answered`);
    this.close();
  }

  private close(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const mdns = this.mdns;
    this.mdns = undefined;
    try {
      mdns?.destroy();
    } catch {
      // Already closed: nothing left to release.
    }
  }

  /** Sends the goodbye (every record with TTL 0) if announced, then closes. Never rejects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    const mdns = this.mdns;
    if (mdns !== undefined && this.instance !== undefined) {
      const goodbye = serviceRecords(this.info(), 0);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, GOODBYE_WAIT_MS);
        mdns.respond(goodbye, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.close();
  }
}
