/**
 * Client → server messages until the server acknowledges them (docs/protocol.md §6.2.4):
 * numbered by cseq, at most `cwnd` in flight, each retransmitted with backoff until acknowledged.
 *
 * Invariants: `queue` is sorted by cseq with no gaps; `queue[0..sent)` have been sent at least
 * once, the rest not yet.
 */
import { DEFAULTS } from '../protocol/constants.js';
import type { CommandName } from '../protocol/messages.js';
import type { CommandOp } from './rooms-api.js';
import type { RttEstimator } from './rtt-estimator.js';

/**
 * A numbered request other than a SAY (docs/protocol.md §6.3.1): an RSAY or a CMD, with what a
 * refusal of it names to the user (`op`, `target`).
 */
export interface RoomRequest {
  readonly wire: { readonly type: 'rsay'; readonly roomId: number; readonly action: boolean } | { readonly type: 'cmd'; readonly op: CommandName; readonly roomId: number; readonly name: string };
  readonly op: CommandOp;
  readonly target: string;
}

export interface OutgoingMessage {
  cseq: number;
  text: string;
  /** Set for an RSAY or CMD; a SAY has none. */
  request?: RoomRequest | undefined;
  sentAt: number;
  retransmitted: boolean;
  rto: number;
  deadline: number;
}

const INITIAL_CWND = 8;
const RECENT_ACKED = 256;
/** Reordering the loss detection tolerates beyond 1.25 RTT. */
const REORDER_SLACK_MS = 2;

export class Outbox {
  readonly queue: OutgoingMessage[] = [];
  nextCseq = 1;
  cwnd = INITIAL_CWND;
  /** Retransmissions so far (a counter for tests and statistics). */
  retransmissions = 0;
  private sent = 0;
  /** Highest cumulative ACK seen in this session. */
  lastAck = 0;
  /** Highest cseq ever sent in this session (a refused message leaves the queue, not this). */
  private highestSent = 0;
  /** Recently acknowledged messages, to name one the server refuses after acknowledging it. */
  private readonly recent = new Map<number, OutgoingMessage>();

  constructor(private readonly rtt: RttEstimator) {}

  get size(): number {
    return this.queue.length;
  }

  push(text: string, request?: RoomRequest): void {
    this.queue.push({ cseq: this.nextCseq++, text, request, sentAt: 0, retransmitted: false, rto: 0, deadline: 0 });
  }

  /**
   * Drops every queued RSAY and CMD (the server no longer speaks rooms) and numbers the rest
   * again from the first dropped one; returns the dropped. Only between sessions (nothing sent).
   */
  dropRequests(): OutgoingMessage[] {
    const dropped = this.queue.filter((m) => m.request !== undefined);
    if (dropped.length === 0) return [];
    const kept = this.queue.filter((m) => m.request === undefined);
    const first = (this.queue[0] as OutgoingMessage).cseq;
    this.queue.length = 0;
    kept.forEach((m, i) => this.queue.push({ ...m, cseq: first + i }));
    this.nextCseq = first + kept.length;
    this.sent = 0;
    return dropped;
  }

  /** Messages to send for the first time now, within the window. */
  takeNew(now: number): OutgoingMessage[] {
    const out: OutgoingMessage[] = [];
    while (this.sent < this.queue.length && this.sent < Math.floor(this.cwnd)) {
      const m = this.queue[this.sent++] as OutgoingMessage;
      m.sentAt = now;
      m.rto = this.rtt.rto;
      m.deadline = now + m.rto;
      this.highestSent = Math.max(this.highestSent, m.cseq);
      out.push(m);
    }
    return out;
  }

  /**
   * The oldest unacknowledged message, if its retransmission timer expired. Only the oldest is
   * resent: the server accepts in order, so the others are usually waiting in its inbox and the
   * next cumulative ACK covers them. The others' timers move out of the way, and the window halves.
   */
  takeDue(now: number): OutgoingMessage[] {
    const head = this.queue[0];
    if (this.sent === 0 || head === undefined || head.deadline > now) return [];
    this.resend(head, now);
    head.rto = Math.min(head.rto * 2, this.rtt.maxRto);
    head.deadline = now + head.rto;
    for (let i = 1; i < this.sent; i++) {
      const m = this.queue[i] as OutgoingMessage;
      m.deadline = Math.max(m.deadline, head.deadline);
    }
    this.cwnd = Math.max(2, this.cwnd / 2);
    return [head];
  }

  /**
   * Time-based loss detection on every ACK (as RACK does): the server acknowledges cumulatively,
   * so if the oldest unacknowledged message was sent well over an RTT before this ACK, the server
   * does not have it. Resend it now rather than waiting for its timer.
   */
  onAckArrival(now: number): OutgoingMessage | undefined {
    const head = this.queue[0];
    const srtt = this.rtt.srtt;
    if (this.sent === 0 || head === undefined || srtt === undefined) return undefined;
    if (now - head.sentAt <= 1.25 * srtt + REORDER_SLACK_MS) return undefined;
    this.resend(head, now);
    return head;
  }

  private resend(m: OutgoingMessage, now: number): void {
    m.retransmitted = true;
    m.sentAt = now;
    this.retransmissions++;
  }

  /**
   * Removes every message with cseq ≤ `cseq`; returns how many. Takes an RTT sample only when
   * none of them was retransmitted (Karn): a message held behind a lost one would overstate it.
   */
  ack(cseq: number, now: number): number {
    // An ACK for more than was ever sent is not from an honest server (or was damaged): ignore it,
    // or unsent and lost messages would count as delivered.
    if (cseq > Math.max(this.highestSent, this.lastAck)) return 0;
    this.lastAck = Math.max(this.lastAck, cseq);
    let n = 0;
    let clean = true;
    while (n < this.sent && (this.queue[n] as OutgoingMessage).cseq <= cseq) {
      const m = this.queue[n] as OutgoingMessage;
      if (m.retransmitted) clean = false;
      this.remember(m);
      n++;
    }
    if (n > 0) {
      if (clean) this.rtt.sample(now - (this.queue[n - 1] as OutgoingMessage).sentAt);
      this.queue.splice(0, n);
      this.sent -= n;
      this.cwnd = Math.min(DEFAULTS.sendWindow, this.cwnd + n);
    }
    return n;
  }

  /** Text of message `cseq` if it is queued or was acknowledged recently; removes it from the queue. */
  takeRefused(cseq: number): string | undefined {
    return this.takeRefusedMessage(cseq)?.text;
  }

  /** Message `cseq` (text, and the request if it was not a SAY) if queued or acknowledged recently; removes it from the queue. */
  takeRefusedMessage(cseq: number): OutgoingMessage | undefined {
    const i = this.queue.findIndex((m) => m.cseq === cseq);
    if (i >= 0) {
      const [m] = this.queue.splice(i, 1);
      if (i < this.sent) this.sent--;
      return m;
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
    this.lastAck = acked;
    this.highestSent = acked;
    this.sent = 0;
    this.cwnd = INITIAL_CWND;
    return dropped;
  }

  /** When the oldest unacknowledged message is due for retransmission, or Infinity. */
  nextDeadline(): number {
    return this.sent > 0 ? (this.queue[0] as OutgoingMessage).deadline : Infinity;
  }

  private remember(m: OutgoingMessage): void {
    this.recent.set(m.cseq, m);
    if (this.recent.size > RECENT_ACKED) this.recent.delete(this.recent.keys().next().value as number);
  }
}
