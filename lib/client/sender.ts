/**
 * The sending side of a session (docs/protocol.md §5.4, §6.2.4): text split into parts the server
 * accepts, numbered and kept in the {@link Outbox} until acknowledged, and the SAYs to send for
 * them under the current session's token. Without a session (between sessions) nothing is sent
 * and nothing is lost: the queue waits for the next WELCOME.
 */
import { MAX_TEXT_BYTES } from '../protocol/constants.js';
import type { ClientMessage } from '../protocol/messages.js';
import { Outbox, type OutgoingMessage, type RoomRequest } from './outbox.js';
import type { RttEstimator } from './rtt-estimator.js';
import { splitText } from './split-text.js';

export class Sender {
  readonly outbox: Outbox;
  /** The current session's token; undefined between sessions. */
  private token: Buffer | undefined;
  private maxText = MAX_TEXT_BYTES;

  constructor(rtt: RttEstimator) {
    this.outbox = new Outbox(rtt);
  }

  /** A new session (WELCOME): its token and text limit; drops what it already accepted. Returns how many. */
  start(token: Buffer, maxText: number, ackedCseq: number): number {
    this.token = token;
    this.maxText = Math.min(maxText, MAX_TEXT_BYTES);
    return this.outbox.restart(ackedCseq);
  }

  /** The session is over or lost: send nothing until the next start(). */
  stop(): void {
    this.token = undefined;
  }

  /** The token of the current session, if there is one. */
  get sessionToken(): Buffer | undefined {
    return this.token;
  }

  /** True if `token` is the current session's. */
  isOurs(token: Buffer): boolean {
    return this.token !== undefined && token.equals(this.token);
  }

  /** Queues text, split into the parts the protocol carries; returns the parts. */
  queue(text: string): string[] {
    const parts = splitText(text, this.maxText);
    for (const part of parts) this.outbox.push(part);
    return parts;
  }

  /** Queues an RSAY or CMD; text that carries a message is split like say()'s (one request per part). Returns the parts. */
  queueRequest(request: RoomRequest, text: string, split: boolean): string[] {
    const parts = split ? splitText(text, this.maxText) : [text];
    for (const part of parts) this.outbox.push(part, request);
    return parts;
  }

  /** SAYs sent for the first time now, within the window (none without a session). */
  fresh(now: number): ClientMessage[] {
    return this.token === undefined ? [] : this.outbox.takeNew(now).map((m) => this.say(m));
  }

  /** Retransmissions due now. */
  due(now: number): ClientMessage[] {
    return this.token === undefined ? [] : this.outbox.takeDue(now).map((m) => this.say(m));
  }

  /** An ACK for `cseq`: how many it acknowledged, and the SAYs to send now (a loss it revealed, new ones). */
  ack(cseq: number, now: number): { acked: number; send: ClientMessage[] } {
    const acked = this.outbox.ack(cseq, now);
    const lost = this.outbox.onAckArrival(now);
    const send = lost === undefined ? [] : [this.say(lost)];
    return { acked, send: [...send, ...this.fresh(now)] };
  }

  private say(m: OutgoingMessage): ClientMessage {
    const token = this.token as Buffer;
    const w = m.request?.wire;
    if (w === undefined) return { type: 'say', token, cseq: m.cseq, target: 0, text: m.text };
    if (w.type === 'rsay') return { type: 'rsay', token, cseq: m.cseq, roomId: w.roomId, action: w.action, text: m.text };
    return { type: 'cmd', token, cseq: m.cseq, op: w.op, roomId: w.roomId, name: w.name, text: m.text };
  }
}
