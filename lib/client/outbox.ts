/**
 * Client → server messages until the server acknowledges them (docs/protocol.md §6.2.4):
 * numbered by cseq, at most `cwnd` in flight, each retransmitted with backoff until acknowledged.
 *
 * Invariants: `queue` is sorted by cseq with no gaps; `queue[0..sent)` have been sent at least
 * once, the rest not yet.
 */
import { DEFAULTS } from '../protocol/constants.js';
import type { RttEstimator } from './rtt-estimator.js';

export interface OutgoingMessage {
  cseq: number;
  text: string;
  sentAt: number;
  retransmitted: boolean;
  rto: number;
  deadline: number;
}

const INITIAL_CWND = 8;
const RECENT_ACKED = 256;

export class Outbox {
  readonly queue: OutgoingMessage[] = [];
  nextCseq = 1;
  cwnd = INITIAL_CWND;
  /** Retransmissions so far (a counter for tests and statistics). */
  retransmissions = 0;
  private sent = 0;
  /** Recently acknowledged messages, to name one the server refuses after acknowledging it. */
  private readonly recent = new Map<number, string>();

  constructor(private readonly rtt: RttEstimator) {}

  get size(): number {
    return this.queue.length;
  }

  push(text: string): void {
    this.queue.push({ cseq: this.nextCseq++, text, sentAt: 0, retransmitted: false, rto: 0, deadline: 0 });
  }

  /** Messages to send for the first time now, within the window. */
  takeNew(now: number): OutgoingMessage[] {
    const out: OutgoingMessage[] = [];
    while (this.sent < this.queue.length && this.sent < Math.floor(this.cwnd)) {
      const m = this.queue[this.sent++] as OutgoingMessage;
      m.sentAt = now;
      m.rto = this.rtt.rto;
      m.deadline = now + m.rto;
      out.push(m);
    }
    return out;
  }

  /** Messages whose retransmission timer expired; backs each off and halves the window once. */
  takeDue(now: number): OutgoingMessage[] {
    const out: OutgoingMessage[] = [];
    for (let i = 0; i < this.sent; i++) {
      const m = this.queue[i] as OutgoingMessage;
      if (m.deadline > now) continue;
      m.retransmitted = true;
      this.retransmissions++;
      m.rto = Math.min(m.rto * 2, this.rtt.maxRto);
      m.deadline = now + m.rto;
      out.push(m);
    }
    if (out.length > 0) this.cwnd = Math.max(1, this.cwnd / 2);
    return out;
  }

  /** Removes every message with cseq ≤ `cseq`; returns how many. Samples RTT per Karn's rule. */
  ack(cseq: number, now: number): number {
    let n = 0;
    while (n < this.sent && (this.queue[n] as OutgoingMessage).cseq <= cseq) {
      const m = this.queue[n] as OutgoingMessage;
      if (!m.retransmitted) this.rtt.sample(now - m.sentAt);
      this.remember(m);
      n++;
    }
    if (n > 0) {
      this.queue.splice(0, n);
      this.sent -= n;
      this.cwnd = Math.min(DEFAULTS.sendWindow, this.cwnd + n);
    }
    return n;
  }

  /** Text of message `cseq` if it is queued or was acknowledged recently; removes it from the queue. */
  takeRefused(cseq: number): string | undefined {
    const i = this.queue.findIndex((m) => m.cseq === cseq);
    if (i >= 0) {
      const [m] = this.queue.splice(i, 1);
      if (i < this.sent) this.sent--;
      return m?.text;
    }
    return this.recent.get(cseq);
  }

  /**
   * A new session told us every cseq ≤ `acked` is accepted: drops those, numbers the rest from
   * acked + 1 and marks them all unsent (docs/protocol.md §6.2.7). Returns how many dropped.
   */
  restart(acked: number): number {
    let dropped = 0;
    this.recent.clear();
    while (this.queue.length > 0 && (this.queue[0] as OutgoingMessage).cseq <= acked) {
      this.queue.shift();
      dropped++;
    }
    this.queue.forEach((m, i) => {
      m.cseq = acked + 1 + i;
      m.retransmitted = false;
    });
    this.nextCseq = acked + 1 + this.queue.length;
    this.sent = 0;
    this.cwnd = INITIAL_CWND;
    return dropped;
  }

  /** Earliest retransmission deadline, or Infinity. */
  nextDeadline(): number {
    let t = Infinity;
    for (let i = 0; i < this.sent; i++) t = Math.min(t, (this.queue[i] as OutgoingMessage).deadline);
    return t;
  }

  private remember(m: OutgoingMessage): void {
    this.recent.set(m.cseq, m.text);
    if (this.recent.size > RECENT_ACKED) this.recent.delete(this.recent.keys().next().value as number);
  }
}
