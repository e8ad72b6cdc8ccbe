/**
 * One simulated peer of the UDP load generator, with its own socket. Three targets:
 * - `udpchat`: the project's own client core (lib/client/client-core.ts) — the same handshake,
 *   send window, retransmission, ordered delivery, NACK repair and heartbeats as a real client;
 *   the peer only moves datagrams and reads the core's events.
 * - `relay` / `batch`: bench/relay.ts — a message is one SAY datagram; the naive relay forwards it
 *   alone, the batching one packs a turn's worth (bench/batch-format.ts). No order, acks or repair.
 * Every peer decodes every datagram it receives with the project's codec and parses every
 * message text, whatever the target (no shared decode cache: each peer does its own work); the
 * peers of one process share only the target, the step book and the counters (`Shared`).
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { ClientCore } from '../lib/client/client-core.js';
import { ClientSealLayer } from '../lib/client/seal-layer.js';
import type { ClientEvent } from '../lib/client/session-types.js';
import { decode, encode } from '../lib/protocol/index.js';
import { BATCH_TYPE, unpackBatch } from './batch-format.js';
import { nowUs, type StepBook } from './load-common.js';

/** Addresses used in one /24 (see bindAddress). */
const IPS_PER_PREFIX = 8;

/** udp-chat, the naive relay, or the batching relay. */
export type Target = 'udpchat' | 'relay' | 'batch';

/** State and counters shared by all peers of one load generator. */
export class Shared {
  readonly errors: Record<string, number> = {};
  datagramsIn = 0;
  datagramsOut = 0;
  dataDatagrams = 0;
  dataEntries = 0;
  /** Join entries delivered (udp-chat). */
  joinEntries = 0;
  /** performance.now() of the last datagram any peer received. */
  lastInAt = 0;
  /** performance.now() of the last acknowledgement any peer got. */
  lastAckAt = 0;
  /** `udpchat` peers seal their sessions (loadgen --sealed: the server's `sealed` row). */
  sealed = false;

  constructor(
    readonly target: Target,
    readonly host: string,
    readonly port: number,
    /** Peers in the whole room (all load generator processes). */
    readonly peers: number,
    readonly book: StepBook,
    /** Peers per source address (see bindAddress), to stay under a per-IP session cap; 0: all on 127.0.0.1. */
    readonly peersPerIp: number,
    /** A peer has a timer due: the load generator ticks it. */
    readonly wake: (p: { tick(now: number): boolean }) => void,
  ) {}

  /**
   * Source address of peer i: `peersPerIp` peers an address, eight addresses a /24 (127.0.1.1–8,
   * 127.0.2.1–8, …), as the people of a big room come from several machines and networks and no
   * network holds more users than the server admits from one prefix in a burst (256).
   */
  bindAddress(i: number): string {
    if (this.peersPerIp <= 0) return '127.0.0.1';
    const ip = Math.floor(i / this.peersPerIp);
    return `127.0.${1 + Math.floor(ip / IPS_PER_PREFIX)}.${1 + (ip % IPS_PER_PREFIX)}`;
  }

  count(what: string): void {
    this.errors[what] = (this.errors[what] ?? 0) + 1;
  }
}

type State = 'idle' | 'joining' | 'online' | 'failed' | 'gone';

const ZERO16: Buffer = Buffer.alloc(16);
const ZERO8: Buffer = Buffer.alloc(8);
const T_DATA = 0x83;
const RELAY_JOIN_RETRY_MS = 3000;
const NO_NICKS: readonly string[] = [];

export class UdpPeer {
  state: State = 'idle';
  readonly nick: string;
  readonly clientId = randomBytes(16);
  private readonly socket: dgram.Socket;
  private readonly core: ClientCore | undefined;
  /** The seal layer around the core (the `sealed` row), as a real client has one. */
  readonly layer: ClientSealLayer | undefined;
  joinStartedAt = 0;
  onlineAt = 0;
  /** When the core next needs tick() (Infinity: nothing due). */
  due = 0;
  private relayJoinDue = 0;
  private readonly lastI: Int32Array;
  /** Messages said since the step began (acknowledged = said − pending). */
  said = 0;
  /** Unacknowledged messages, from the core's 'sending' and 'delivered' events (the session contract). */
  private unacked = 0;
  /** Highest room seq the core delivered (its events carry it). */
  private lastSeq = 0;
  /** When the datagram being handled arrived (µs, nowUs): the receive time of every message in it. */
  private arrivedUs = 0;

  constructor(
    readonly index: number,
    private readonly shared: Shared,
    private readonly recvBufferSize: number,
  ) {
    this.nick = `p${index}`;
    this.lastI = new Int32Array(shared.peers);
    this.socket = dgram.createSocket({ type: 'udp4', recvBufferSize, sendBufferSize: recvBufferSize });
    this.socket.on('error', () => shared.count('socket-error'));
    this.socket.on('message', (m) => this.socketOnMessage(m));
    if (shared.target === 'udpchat') {
      this.core = new ClientCore({ nick: this.nick, clientId: this.clientId, joinTimeoutMs: 30_000 });
      // A simulated peer renders no member list: skip sorting it on every join and leave.
      this.core.feed.roster.nicks = () => NO_NICKS;
      // DATA is counted by the type of what the core receives (for the sealed row: once opened).
      const receive = this.core.receive.bind(this.core);
      this.core.receive = (d: Buffer, now: number): void => {
        if (d.length >= 9 && d[3] === T_DATA) {
          shared.dataDatagrams++;
          shared.dataEntries += d[8] ?? 0;
        }
        receive(d, now);
      };
      if (shared.sealed) this.layer = new ClientSealLayer(this.core, { userKey: randomBytes(32), random: randomBytes });
    }
  }

  /** Binds, connects to the server and starts joining. */
  start(): void {
    this.socket.bind(0, this.shared.bindAddress(this.index), () => {
      this.socket.connect(this.shared.port, this.shared.host, () => {
        this.joinStartedAt = performance.now();
        this.state = 'joining';
        if (this.core !== undefined) {
          this.core.join(this.joinStartedAt);
          this.pump();
        } else this.relayJoin(this.joinStartedAt);
      });
    });
  }

  private send(buf: Buffer): void {
    this.shared.datagramsOut++;
    this.socket.send(buf);
  }

  private relayJoin(now: number): void {
    // The relay echoes a JOIN to every peer, so a retry costs K datagrams: retry slowly.
    this.relayJoinDue = now + RELAY_JOIN_RETRY_MS;
    this.due = this.relayJoinDue;
    this.send(encode({ type: 'join', cookie: ZERO16, clientId: this.clientId, resumeInstance: ZERO8, resumeSeq: 0, caps: 0, nick: this.nick }));
  }

  /** Highest room seq delivered in order (udp-chat; 0 for the relays). */
  get delivered(): number {
    return this.lastSeq;
  }

  /** Messages said and not yet acknowledged (relays: none, nothing is acknowledged). */
  get pending(): number {
    return this.unacked;
  }

  /** Says one chat message. */
  say(text: string): void {
    if (this.state !== 'online') return;
    this.said++;
    if (this.core === undefined) return this.send(encode({ type: 'say', token: ZERO16, cseq: this.said, target: 0, text }));
    this.core.say(text, performance.now());
    this.pump();
  }

  private socketOnMessage(buf: Buffer): void {
    this.arrivedUs = nowUs();
    this.shared.datagramsIn++;
    this.shared.lastInAt = performance.now();
    if (this.core !== undefined) {
      if (this.layer !== undefined) this.layer.receive(buf, performance.now());
      else this.core.receive(buf, performance.now());
      this.pump();
      return;
    }
    if (buf[3] !== BATCH_TYPE) return this.relayMessage(buf);
    const msgs = unpackBatch(buf);
    this.shared.dataDatagrams++;
    this.shared.dataEntries += msgs.length;
    for (const m of msgs) this.relayMessage(m);
  }

  private relayMessage(buf: Buffer): void {
    let m;
    try {
      m = decode(buf);
    } catch {
      this.shared.count('undecodable');
      return;
    }
    if (m.type === 'join') {
      if (this.state === 'joining' && m.clientId.equals(this.clientId)) this.goOnline();
    } else if (m.type === 'say') this.deliver(m.text);
  }

  private goOnline(): void {
    this.state = 'online';
    this.onlineAt = performance.now();
    if (this.core === undefined) this.due = Infinity;
  }

  private deliver(text: string): void {
    this.shared.book.receiveText(this.lastI, this.index, text, this.arrivedUs);
  }

  /** Sends what the core queued, handles its events and notes when it next needs a tick. */
  private pump(): void {
    const core = this.core!;
    const { datagrams, events } = core.drain();
    for (const d of this.layer === undefined ? datagrams : this.layer.wrap(datagrams, performance.now())) this.send(d);
    for (const e of events) this.onEvent(e);
    this.due = core.nextDeadline();
    if (this.due !== Infinity) this.shared.wake(this);
  }

  private onEvent(e: ClientEvent): void {
    switch (e.type) {
      case 'joined':
        if (this.state === 'joining') this.goOnline();
        if (e.rejoined) this.shared.count('rejoined');
        return;
      case 'message':
        this.lastSeq = e.seq;
        if (!e.own) this.deliver(e.text);
        return;
      case 'presence':
        this.lastSeq = e.seq;
        if (e.action === 'join') this.shared.joinEntries++;
        return;
      case 'presence-summary':
        // Under churn the core folds joins and leaves into one event (docs/protocol.md §6.2.12).
        this.lastSeq = e.toSeq;
        this.shared.joinEntries += e.joined;
        return;
      case 'sending':
        this.unacked++;
        return;
      case 'delivered':
        this.unacked = e.pending;
        this.shared.lastAckAt = performance.now();
        return;
      case 'notice':
        this.shared.count(e.lost === true ? 'lost' : 'notice');
        return;
      case 'join-failed':
        this.shared.count(e.code);
        this.state = 'failed';
        return;
      case 'closed':
        this.shared.count(`closed: ${e.reason}`);
        this.state = 'gone';
        return;
      default:
        return;
    }
  }

  /** Runs due timers; returns true while it needs more ticks. */
  tick(now: number): boolean {
    if (this.core === undefined) {
      if (this.state === 'joining' && now >= this.relayJoinDue) this.relayJoin(now);
      return this.state === 'joining';
    }
    if (now >= this.due) {
      this.arrivedUs = nowUs();
      this.core.tick(now);
      this.pump();
    }
    return this.due !== Infinity;
  }

  /** Leaves (udp-chat) and closes the socket. */
  close(): void {
    if (this.core !== undefined && this.state === 'online') {
      this.core.leave(performance.now());
      const { datagrams } = this.core.drain();
      for (const d of this.layer === undefined ? datagrams : this.layer.wrap(datagrams, performance.now())) this.send(d);
    }
    setTimeout(() => this.socket.close(), 50);
  }
}
