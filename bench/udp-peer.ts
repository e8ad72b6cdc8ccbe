/**
 * One simulated peer of the UDP load generator, with its own socket. Two targets:
 * - `udpchat`: the real protocol through the codec — JOIN → COOKIE → JOIN → WELCOME; SAY with cseq,
 *   a congestion window and retransmission until acknowledged (RTO per docs/protocol.md); DATA
 *   entries delivered strictly in room order (buffer ahead, NACK holes, SYNC/PONG reveal a lost
 *   tail); PING every heartbeat.
 * - `relay`: the minimal relay (bench/relay.ts) — JOIN is echoed to everyone, a message is one SAY
 *   datagram forwarded as is; no order, acks or repair.
 * Everything that is the same for all peers (decoded DATA, the counters) lives in {@link Shared};
 * the sending window in {@link SayWindow}.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { decode, DEFAULTS, encode } from '../lib/protocol/index.js';
import { parseText, type ParsedText } from './load-common.js';
import { SayWindow } from './say-window.js';
import type { EntryInfo, Shared } from './udp-shared.js';
type State = 'idle' | 'hello' | 'joining' | 'online' | 'failed' | 'gone';

const ZERO16: Buffer = Buffer.alloc(16);
const ZERO8: Buffer = Buffer.alloc(8);
const MAX_AHEAD = DEFAULTS.logEntries;
const T_JOIN = 0x01;
const RELAY_JOIN_RETRY_MS = 3000;
const T_SAY = 0x02;

export class UdpPeer {
  state: State = 'idle';
  /** Stopped (the stall experiment): drops what it receives, sends nothing, like a frozen process. */
  deaf = false;
  readonly nick: string;
  readonly clientId = randomBytes(16);
  private readonly socket: dgram.Socket;
  private token: Buffer = ZERO16;
  private cookie: Buffer = ZERO16;
  joinStartedAt = 0;
  onlineAt = 0;
  private joinTries = 0;
  private joinDue = 0;
  heartbeatMs: number = DEFAULTS.heartbeatMs;
  pingDue = 0;
  // receiving
  nextSeq = 1;
  highestSeen = 0;
  private readonly ahead = new Map<number, EntryInfo>();
  nackDue = 0;
  private lastNackAt = 0;
  private readonly lastI: Int32Array;
  joinEntries = 0;
  private readonly window: SayWindow;

  constructor(
    readonly index: number,
    private readonly shared: Shared,
    recvBufferSize: number,
    /** Called when a peer needs its timers looked at (gaps, retransmissions). */
    private readonly wake: (p: UdpPeer) => void,
  ) {
    this.nick = `p${index}`;
    this.lastI = new Int32Array(shared.peers);
    this.socket = dgram.createSocket({ type: 'udp4', recvBufferSize, sendBufferSize: recvBufferSize });
    this.socket.on('error', () => shared.count('socket-error'));
    this.socket.on('message', (m) => this.socketOnMessage(m));
    this.window = new SayWindow({
      encode: (cseq, text) => encode({ type: 'say', token: this.token, cseq, target: 0, text }),
      send: (buf) => this.send(buf),
      accepted: (step, now) => {
        if (step !== shared.book.step) return;
        shared.ackedThisStep++;
        shared.lastAckAt = now;
        if (shared.inWindow) shared.ackedInWindow++;
      },
      retransmitted: () => shared.retransmissions++,
    });
  }

  /** Binds, connects to the server and sends the first JOIN. */
  start(): void {
    this.socket.bind(0, this.shared.bindAddress(this.index), () => {
      this.socket.connect(this.shared.port, this.shared.host, () => {
        this.joinStartedAt = performance.now();
        this.state = 'hello';
        this.sendJoin();
      });
    });
  }

  private send(buf: Buffer): void {
    this.shared.datagramsOut++;
    this.socket.send(buf);
  }

  private sendJoin(): void {
    this.joinTries++;
    // udp-chat: the client schedule (250 ms ×2 per two tries, up to 2 s). The relay echoes a JOIN
    // to every peer, so a retry costs K datagrams: retry slowly, or retries make the storm.
    this.joinDue =
      performance.now() + (this.shared.target === 'relay' ? RELAY_JOIN_RETRY_MS : Math.min(2000, 250 * 2 ** Math.floor((this.joinTries - 1) / 2)));
    this.send(encode({ type: 'join', cookie: this.cookie, clientId: this.clientId, resumeInstance: ZERO8, resumeSeq: 0, caps: 0, nick: this.nick }));
  }

  get pending(): number {
    return this.window.pending;
  }

  /** Queues (udpchat) or sends (relay) one chat message. */
  say(text: string, step: number, s: number, i: number): void {
    if (this.state !== 'online') return;
    if (this.shared.target === 'relay') {
      // The relay forwards bytes: carry the sender in the token so receivers need not ask.
      const token = Buffer.alloc(16);
      token.writeUInt32BE(s, 0);
      this.send(encode({ type: 'say', token, cseq: i, target: 0, text }));
      return;
    }
    this.window.push(text, step, performance.now());
    if (this.window.inFlight > 0) this.wake(this);
  }

  private socketOnMessage(buf: Buffer): void {
    if (this.deaf) {
      this.shared.deafDrops++;
      return;
    }
    this.shared.datagramsIn++;
    this.shared.lastInAt = performance.now();
    if (buf.length < 4 || buf[0] !== 0x55 || buf[1] !== 0x43) return;
    if (this.shared.target === 'relay') return this.relayOnMessage(buf);
    switch (buf[3]) {
      case 0x83:
        return this.onData(buf);
      case 0x84:
        return this.onAck(buf.readUInt32BE(20));
      case 0x85:
      case 0x86:
        return this.onLastSeq(buf.readUInt32BE(4));
      default:
        return this.onControl(buf);
    }
  }

  private relayOnMessage(buf: Buffer): void {
    if (buf[3] === T_JOIN) {
      if (this.state !== 'online' && buf.subarray(20, 36).equals(this.clientId)) this.goOnline();
      else this.joinEntries++;
      return;
    }
    if (buf[3] !== T_SAY || buf.length < 27) return;
    const m = parseText(buf.toString('latin1', 27));
    if (m !== undefined) this.deliverMessage(m);
  }

  private goOnline(): void {
    this.state = 'online';
    this.onlineAt = performance.now();
    this.pingDue = this.onlineAt + Math.random() * this.heartbeatMs;
  }

  private onControl(buf: Buffer): void {
    let m;
    try {
      m = decode(buf);
    } catch {
      this.shared.count('undecodable');
      return;
    }
    switch (m.type) {
      case 'cookie':
        if (this.state !== 'hello' || !m.clientId.equals(this.clientId)) return;
        this.cookie = m.cookie;
        this.state = 'joining';
        this.joinTries = 0;
        this.sendJoin();
        return;
      case 'welcome':
        if ((this.state !== 'hello' && this.state !== 'joining') || !m.clientId.equals(this.clientId)) return;
        this.token = m.token;
        this.heartbeatMs = m.heartbeatMs;
        this.nextSeq = m.historyFrom;
        this.highestSeen = Math.max(this.highestSeen, m.baseSeq);
        this.goOnline();
        return;
      case 'error':
        this.shared.count(m.code);
        if (m.code === 'UDPCHAT_ERR_NICK_TAKEN' || m.code === 'UDPCHAT_ERR_SERVER_FULL' || m.code === 'UDPCHAT_ERR_TOO_MANY_SESSIONS' || m.code === 'UDPCHAT_ERR_NICK_INVALID') {
          if (this.state !== 'online') this.state = 'failed';
        } else if (m.code === 'UDPCHAT_ERR_UNKNOWN_SESSION' || m.code === 'UDPCHAT_ERR_FLOODING') {
          this.state = 'gone';
        } else if (m.code === 'UDPCHAT_ERR_HISTORY_GONE' && m.arg > this.nextSeq) {
          // The server no longer keeps what we miss: skip to what it has (counted as skipped).
          this.shared.historyGone += m.arg - this.nextSeq;
          for (let q = this.nextSeq; q < m.arg; q++) this.ahead.delete(q);
          this.nextSeq = m.arg;
          this.drainAhead();
        }
        return;
      case 'bye':
        this.shared.count(`bye-${m.reason}`);
        this.state = 'gone';
        return;
      default:
        return; // ROSTER and anything else: not measured
    }
  }

  private onData(buf: Buffer): void {
    if (this.state !== 'online') return;
    const d = this.shared.entries(buf);
    if (d === undefined) return;
    this.shared.dataDatagrams++;
    this.shared.dataEntries += d.infos.length;
    const before = this.nextSeq;
    for (let j = 0; j < d.infos.length; j++) this.onEntry(d.first + j, d.infos[j]!);
    const last = d.first + d.infos.length - 1;
    if (last > this.shared.roomSeq) this.shared.roomSeq = last;
    if (this.highestSeen >= this.nextSeq) {
      this.gap();
      // As lib/client/client-core.ts does: while repair makes progress, ask for the next stretch
      // one round trip after the last NACK rather than a whole RTO later.
      if (this.nextSeq > before) this.nackDue = Math.min(this.nackDue, Math.max(performance.now(), this.lastNackAt + this.window.srtt));
    }
  }

  private onEntry(seq: number, e: EntryInfo): void {
    if (seq > this.highestSeen) this.highestSeen = seq;
    if (seq < this.nextSeq || this.ahead.has(seq)) {
      this.shared.wireDuplicates++;
      return;
    }
    if (seq > this.nextSeq) {
      if (seq - this.nextSeq < MAX_AHEAD) this.ahead.set(seq, e);
      return;
    }
    this.deliverEntry(e);
    this.nextSeq++;
    this.drainAhead();
  }

  /** Delivers what was buffered ahead, as far as it is contiguous. */
  private drainAhead(): void {
    while (this.ahead.size > 0) {
      const next = this.ahead.get(this.nextSeq);
      if (next === undefined) break;
      this.ahead.delete(this.nextSeq);
      this.deliverEntry(next);
      this.nextSeq++;
    }
  }

  private deliverEntry(e: EntryInfo): void {
    if (e.kind === 'join') this.joinEntries++;
    else if (e.msg !== undefined) this.deliverMessage(e.msg);
  }

  private deliverMessage(m: ParsedText): void {
    const book = this.shared.book;
    const before = book.delivered;
    book.receive(this.lastI, m.s, m.i, m.k, m.t);
    if (book.delivered !== before) this.shared.onDelivery?.(this.index);
  }

  private onLastSeq(lastSeq: number): void {
    if (this.state !== 'online') return;
    if (lastSeq > this.highestSeen) this.highestSeen = lastSeq;
    if (lastSeq > this.shared.roomSeq) this.shared.roomSeq = lastSeq;
    if (this.highestSeen >= this.nextSeq) this.gap();
  }

  /** A hole: NACK it after the reorder delay (unless one is already scheduled). */
  private gap(): void {
    if (this.nackDue === 0) {
      this.nackDue = performance.now() + DEFAULTS.nackDelayMs;
      this.wake(this);
    }
  }

  private onAck(cseq: number): void {
    if (this.state === 'online') this.window.ack(cseq, performance.now());
  }

  /** Timers: join retries, retransmissions, NACKs, heartbeats. Returns true while it needs more ticks. */
  tick(now: number): boolean {
    if (this.deaf) return true;
    if (this.state === 'hello' || this.state === 'joining') {
      if (now >= this.joinDue) this.sendJoin();
      return true;
    }
    if (this.state !== 'online' || this.shared.target === 'relay') return false;
    this.window.retransmit(now);
    if (this.nackDue !== 0 && now >= this.nackDue) this.nack(now);
    return this.window.inFlight > 0 || this.nackDue !== 0;
  }

  private nack(now: number): void {
    if (this.highestSeen < this.nextSeq) {
      this.nackDue = 0;
      return;
    }
    let to = this.nextSeq;
    while (to < this.highestSeen && !this.ahead.has(to + 1)) to++;
    this.shared.nacks++;
    this.lastNackAt = now;
    this.send(encode({ type: 'nack', token: this.token, from: this.nextSeq, to }));
    this.nackDue = now + Math.max(this.window.rto, DEFAULTS.minRtoMs);
  }

  /** PING if the heartbeat is due (udpchat only). */
  heartbeat(now: number): void {
    if (this.state !== 'online' || this.shared.target === 'relay' || this.deaf || now < this.pingDue) return;
    this.pingDue = now + this.heartbeatMs;
    this.send(encode({ type: 'ping', token: this.token, delivered: this.nextSeq - 1, echo: Math.floor(now) >>> 0 }));
  }

  /** LEAVE (udpchat) and close the socket. */
  close(): void {
    if (this.state === 'online' && this.shared.target === 'udpchat') this.send(encode({ type: 'leave', token: this.token }));
    setTimeout(() => this.socket.close(), 50);
  }
}

