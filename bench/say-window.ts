/**
 * The sending side of a bench peer for udp-chat: messages get client sequence numbers (cseq),
 * at most `cwnd` are in flight (start 8, +1 per acknowledged message up to 32, halved on a
 * timeout) and each is retransmitted until the cumulative ACK covers it, with RTO = max(100 ms,
 * SRTT + 4·RTTVAR) (initial 250 ms), doubled per retransmission up to max(1 s, 2·SRTT), RTT
 * samples only from never-retransmitted messages (Karn) — the client rules of docs/protocol.md.
 */
import { DEFAULTS } from '../lib/protocol/index.js';

const MAX_WINDOW = DEFAULTS.sendWindow;
const START_WINDOW = 8;

interface InFlight {
  buf: Buffer;
  step: number;
  sentAt: number;
  tries: number;
  due: number;
}

export interface SayWindowHooks {
  /** Encodes a SAY with the current token. */
  encode(cseq: number, text: string): Buffer;
  send(buf: Buffer): void;
  /** A message of `step` was acknowledged at `now`. */
  accepted(step: number, now: number): void;
  retransmitted(): void;
}

export class SayWindow {
  private readonly queue: { text: string; step: number }[] = [];
  private queueHead = 0;
  private nextCseq = 1;
  private readonly inflight = new Map<number, InFlight>();
  /** Earliest retransmission deadline (Infinity when nothing is in flight). */
  minDue = Infinity;
  private cwnd = START_WINDOW;
  srtt = 0;
  private rttvar = 0;
  rto: number = DEFAULTS.initialRtoMs;

  constructor(private readonly hooks: SayWindowHooks) {}

  /** Messages queued or unacknowledged. */
  get pending(): number {
    return this.queue.length - this.queueHead + this.inflight.size;
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  push(text: string, step: number, now: number): void {
    this.queue.push({ text, step });
    this.pump(now);
  }

  private pump(now: number): void {
    while (this.inflight.size < this.cwnd && this.queueHead < this.queue.length) {
      const q = this.queue[this.queueHead++]!;
      const cseq = this.nextCseq++;
      const buf = this.hooks.encode(cseq, q.text);
      const due = now + this.rto;
      this.inflight.set(cseq, { buf, step: q.step, sentAt: now, tries: 0, due });
      if (due < this.minDue) this.minDue = due;
      this.hooks.send(buf);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Cumulative ACK: everything ≤ cseq is accepted. */
  ack(cseq: number, now: number): void {
    if (this.inflight.size === 0) return;
    const sample = this.inflight.get(cseq);
    if (sample !== undefined && sample.tries === 0) this.rttSample(now - sample.sentAt);
    for (const [c, f] of this.inflight) {
      if (c > cseq) break;
      this.inflight.delete(c);
      this.hooks.accepted(f.step, now);
      if (this.cwnd < MAX_WINDOW) this.cwnd++;
    }
    this.pump(now);
  }

  private rttSample(r: number): void {
    if (this.srtt === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = Math.max(DEFAULTS.minRtoMs, this.srtt + 4 * this.rttvar);
  }

  /** Retransmits whatever is due. */
  retransmit(now: number): void {
    if (now < this.minDue) return;
    const cap = Math.max(DEFAULTS.maxRtoMs, 2 * this.srtt);
    let timedOut = false;
    this.minDue = Infinity;
    for (const f of this.inflight.values()) {
      if (f.due <= now) {
        f.tries++;
        f.due = now + Math.min(this.rto * 2 ** f.tries, cap);
        timedOut = true;
        this.hooks.retransmitted();
        this.hooks.send(f.buf);
      }
      if (f.due < this.minDue) this.minDue = f.due;
    }
    if (timedOut) this.cwnd = Math.max(2, Math.floor(this.cwnd / 2));
  }
}
