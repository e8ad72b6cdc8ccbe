/**
 * Acknowledgements that wait for the disk (docs/protocol.md §6.1.10): with persistence, an accepted
 * message (or a refusal of one) is acknowledged only once the store reports its record durable.
 * This keeps the accepted messages in record order and, per client id, the highest cseq whose
 * record is durable — what ACKs and WELCOMEs may claim.
 */
import type { ServerMessage } from '../protocol/messages.js';
import type { Session } from './session-table.js';

/** Client ids whose durable cseq is remembered (LRU). */
const DURABLE_CSEQS_MAX = 65_536;

export interface WaitingAck {
  /** The ordinal of the store record that makes it durable. */
  ordinal: number;
  session: Session;
  cseq: number;
  /** An ERROR to send instead of appending (a refused message, its record a mark). */
  refusal?: ServerMessage;
}

export class DurableAcks {
  private waiting: WaitingAck[] = [];
  private readonly cseqs = new Map<string, number>();

  /** Starts from what the store recovered: client id (hex) → highest durable cseq. */
  restore(cseqs: Iterable<readonly [string, number]>): void {
    for (const [hex, cseq] of cseqs) this.cseqs.set(hex, cseq);
  }

  /** An accepted message whose record is the `ordinal`-th made. */
  hold(w: WaitingAck): void {
    this.waiting.push(w);
  }

  /** The highest durable cseq of this client id (0 if none). */
  acked(clientIdHex: string): number {
    return this.cseqs.get(clientIdHex) ?? 0;
  }

  /** The first `count` records are durable: returns the acknowledgements they release, in order. */
  release(count: number): WaitingAck[] {
    let i = 0;
    while (i < this.waiting.length && (this.waiting[i] as WaitingAck).ordinal <= count) {
      const w = this.waiting[i] as WaitingAck;
      this.cseqs.delete(w.session.clientIdHex);
      this.cseqs.set(w.session.clientIdHex, w.cseq);
      if (this.cseqs.size > DURABLE_CSEQS_MAX) this.cseqs.delete(this.cseqs.keys().next().value as string);
      i++;
    }
    const released = this.waiting.slice(0, i);
    if (i > 0) this.waiting = this.waiting.slice(i);
    return released;
  }
}
