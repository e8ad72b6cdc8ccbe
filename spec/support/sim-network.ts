/**
 * Client and server cores wired together in memory with a fake clock and a seeded faulty link
 * (TESTING.md layer 2): loss, duplication, reordering by delay, and outages. Hours of protocol
 * timers run in milliseconds, deterministically for a seed.
 */
import { ClientCore } from '../../lib/client/client-core.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import type { RoomEvent } from '../../lib/client/rooms-api.js';
import { type PeerAddress, addressKey } from '../../lib/server/peer-address.js';
import { ServerCore } from '../../lib/server/server-core.js';
import { persistedSessions } from '../../lib/server/restore-state.js';
import type { ServerEvent } from '../../lib/server/server-core.js';
import type { ServerOptions } from '../../lib/server/server-options.js';
import { mulberry32 } from './fault-proxy.js';

export interface LinkFaults {
  loss: number;
  duplicate: number;
  /** Probability that a datagram gets an extra delay in [delayMin, delayMax] ms. */
  reorder: number;
  delayMin: number;
  delayMax: number;
  /** One-way base latency in ms. */
  latency: number;
}

const NO_FAULTS: LinkFaults = { loss: 0, duplicate: 0, reorder: 0, delayMin: 0, delayMax: 0, latency: 1 };
const SERVER: PeerAddress = { address: '10.0.0.1', port: 7777 };

interface InFlight {
  at: number;
  order: number;
  data: Buffer;
  /** undefined: to the server. */
  to: SimClient | undefined;
  from: PeerAddress;
}

export interface SimClient {
  name: string;
  core: ClientCore;
  address: PeerAddress;
  events: ClientEvent[];
  /** Chat messages delivered in room 0, as "seq nick: text". */
  lines: string[];
  /** Room events (streams, topics, renames …), in order. */
  roomEvents: RoomEvent[];
  /** Messages delivered in other streams, by roomId, as "seq nick: text" ("seq * nick text" for an action). */
  streamLines: Map<number, string[]>;
  /** True while this client's link is cut (both ways). */
  cut: boolean;
}

export function seededBytes(seed: number): (n: number) => Buffer {
  const next = mulberry32(seed);
  return (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
}

export class SimNetwork {
  now = 1_700_000_000_000;
  server: ServerCore;
  readonly serverEvents: ServerEvent[] = [];
  readonly clients: SimClient[] = [];
  faults: LinkFaults = NO_FAULTS;
  /** Drops the datagrams it returns true for (a targeted loss), before the random faults. */
  dropIf: ((data: Buffer, to: SimClient | undefined) => boolean) | undefined;
  /** Counters of what the link did. */
  readonly link = { sent: 0, lost: 0, duplicated: 0, delayed: 0, cut: 0 };
  private readonly rand: () => number;
  private readonly randomBytes: (n: number) => Buffer;
  private queue: InFlight[] = [];
  private order = 0;
  private serverDown = false;

  constructor(
    readonly seed: number,
    private readonly serverOptions: Partial<ServerOptions> = {},
  ) {
    this.rand = mulberry32(seed);
    this.randomBytes = seededBytes(seed ^ 0x5eed);
    this.server = this.newServer();
  }

  private newServer(): ServerCore {
    return new ServerCore({ ...this.serverOptions, random: this.randomBytes, now: this.now });
  }

  /**
   * Replaces the server with one that goes on from the old one's room 0 and sessions, as a server
   * restarted from its store does (§6.1.10): same instance, room log, sessions (caps included);
   * nothing else (rooms other than #lobby are not stored).
   */
  restartServerKeepingRoom(): void {
    const old = this.server;
    const tail: { seq: number; bytes: Buffer }[] = [];
    for (let seq = old.log.oldestSeq; seq <= old.log.lastSeq; seq++) {
      const bytes = old.log.bytesOf(seq);
      if (bytes !== undefined) tail.push({ seq, bytes });
    }
    const cseqs = new Map([...old.sessions.all()].map((s) => [s.clientIdHex, s.nextCseq - 1] as const));
    const restore = { instance: old.instance, lastSeq: old.log.lastSeq, oldestStored: old.log.oldestSeq, tail, cseqs, sessions: persistedSessions(old.sessions) };
    this.server = new ServerCore({ ...this.serverOptions, random: this.randomBytes, now: this.now, restore });
    this.serverDown = false;
  }

  /** Replaces the server with a fresh one (a restart: all state lost). */
  restartServer(): void {
    this.server = this.newServer();
    this.serverDown = false;
  }

  /** Takes the server off the network (datagrams to it vanish) until restartServer(). */
  stopServer(): void {
    this.serverDown = true;
  }

  addClient(name: string, nick = name, joinTimeoutMs?: number): SimClient {
    const core = new ClientCore({ nick, clientId: this.randomBytes(16), ...(joinTimeoutMs === undefined ? {} : { joinTimeoutMs }) });
    const c: SimClient = { name, core, address: { address: '10.0.1.1', port: 40000 + this.clients.length }, events: [], lines: [], roomEvents: [], streamLines: new Map(), cut: false };
    this.clients.push(c);
    core.join(this.now);
    this.pump();
    return c;
  }

  private transmit(data: Buffer, from: PeerAddress, to: SimClient | undefined): void {
    this.link.sent++;
    const client = to ?? this.clients.find((c) => addressKey(c.address) === addressKey(from));
    if (client?.cut) {
      this.link.cut++;
      return;
    }
    if (this.dropIf?.(data, to) === true) {
      this.link.lost++;
      return;
    }
    const f = this.faults;
    // Draw the same number of values per datagram so decisions depend only on the seed and order.
    const [lossRoll, dupRoll, delayRoll, delayPick] = [this.rand(), this.rand(), this.rand(), this.rand()];
    if (lossRoll < f.loss) {
      this.link.lost++;
      return;
    }
    const copies = dupRoll < f.duplicate ? 2 : 1;
    if (copies === 2) this.link.duplicated++;
    for (let i = 0; i < copies; i++) {
      let at = this.now + f.latency;
      if (delayRoll < f.reorder) {
        this.link.delayed++;
        at += Math.round(f.delayMin + delayPick * (f.delayMax - f.delayMin));
      }
      this.queue.push({ at: at + i, order: this.order++, data, to, from });
    }
  }

  /** Moves everything the cores queued onto the link and records events. */
  private pump(): void {
    for (const c of this.clients) {
      const { datagrams, events, roomEvents } = c.core.drain();
      for (const d of datagrams) this.transmit(d, c.address, undefined);
      c.roomEvents.push(...roomEvents);
      for (const e of events) {
        c.events.push(e);
        if (e.type !== 'message') continue;
        const line = e.action === true ? `${e.seq} * ${e.nick} ${e.text}` : `${e.seq} ${e.nick}: ${e.text}`;
        if (e.roomId === undefined) c.lines.push(line);
        else c.streamLines.set(e.roomId, [...(c.streamLines.get(e.roomId) ?? []), line]);
      }
    }
    const { datagrams, events } = this.server.drain();
    this.serverEvents.push(...events);
    for (const d of datagrams) {
      const targets = Array.isArray(d.to) ? (d.to as readonly PeerAddress[]) : [d.to as PeerAddress];
      for (const t of targets) {
        const client = this.clients.find((c) => c.address.port === t.port && c.address.address === t.address);
        if (client !== undefined) this.transmit(d.data, SERVER, client);
      }
    }
  }

  /** Runs the network until `until` (fake ms), or until `stop()` returns true. */
  run(ms: number, stop?: () => boolean): void {
    const until = this.now + ms;
    this.pump(); // whatever the test made the cores queue (say, leave) goes out now
    for (let guard = 0; guard < 5_000_000; guard++) {
      if (stop?.()) return;
      const next = Math.min(
        this.queue.reduce((t, d) => Math.min(t, d.at), Infinity),
        this.serverDown ? Infinity : this.server.nextDeadline(this.now),
        ...this.clients.map((c) => c.core.nextDeadline()),
      );
      if (next > until) {
        this.now = until;
        return;
      }
      this.now = Math.max(this.now, next);
      const due = this.queue.filter((d) => d.at <= this.now).sort((a, b) => a.at - b.at || a.order - b.order);
      this.queue = this.queue.filter((d) => d.at > this.now);
      for (const d of due) {
        if (d.to === undefined) {
          if (!this.serverDown) this.server.receive(d.data, d.from, this.now);
        } else {
          d.to.core.receive(d.data, this.now);
        }
      }
      if (!this.serverDown) this.server.tick(this.now);
      for (const c of this.clients) if (c.core.nextDeadline() <= this.now) c.core.tick(this.now);
      this.pump();
    }
    throw new Error('simulation did not settle');
  }

  /** Runs until every client delivered `count` chat messages, or `ms` passes. */
  runUntilDelivered(count: number, ms: number): void {
    this.run(ms, () => this.clients.every((c) => c.lines.length >= count));
  }
}
