/**
 * The server core's outbound queue: replies are queued as typed messages and encoded once, when
 * the shell drains the queue (the core's one call into the encoder); fan-out DATA is queued as
 * bytes already encoded once for every member (docs/protocol.md §6.1.5).
 *
 * Invariant: nothing is ever queued to port 0 (§5.5).
 */
import { encode } from '../protocol/codec.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { PeerAddress } from './peer-address.js';
import type { Outgoing, ServerStats } from './server-types.js';

/** One queued datagram: a typed message (encoded at drain) or bytes already encoded. */
export type QueuedDatagram =
  | { to: PeerAddress | readonly PeerAddress[]; message: ServerMessage }
  | { to: PeerAddress | readonly PeerAddress[]; data: Buffer };

export class Outbound {
  private queue: QueuedDatagram[] = [];

  constructor(private readonly stats: ServerStats) {}

  /** Queues a message to one peer (dropped if its port is 0). */
  send(to: PeerAddress, message: ServerMessage): void {
    if (to.port === 0) return;
    this.queue.push({ to, message });
    this.stats.datagramsOut++;
  }

  /** Queues bytes already encoded (DATA packed from the room log) to one peer. */
  sendBytes(to: PeerAddress, data: Buffer): void {
    if (to.port === 0) return;
    this.queue.push({ to, data });
    this.stats.datagramsOut++;
  }

  /**
   * Queues the same datagram to every member: bytes already encoded, or a message encoded once at
   * drain. (No member has port 0: a JOIN from port 0 never creates a session.)
   */
  fanOut(members: readonly PeerAddress[], datagram: Buffer | ServerMessage): void {
    if (members.length === 0) return;
    this.queue.push(Buffer.isBuffer(datagram) ? { to: members, data: datagram } : { to: members, message: datagram });
    this.stats.datagramsOut += members.length;
  }

  /** The queued messages as typed values (for specs and diagnostics), without draining. */
  peek(): readonly QueuedDatagram[] {
    return this.queue;
  }

  /** Encodes what is queued and empties the queue. */
  drain(): Outgoing[] {
    const out = this.queue.map((q): Outgoing => ('message' in q ? { to: q.to, data: encode(q.message) } : q));
    this.queue = [];
    return out;
  }
}
