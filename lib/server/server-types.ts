/** What the server core hands its shell: datagrams to send, events, statistics. */
import type { WireErrorCode } from '../protocol/error-codes.js';
import type { LeaveReason } from '../protocol/messages.js';
import type { PeerAddress } from './peer-address.js';

/** A datagram to send: to one peer, or the same bytes to many. */
export interface Outgoing {
  to: PeerAddress | readonly PeerAddress[];
  data: Buffer;
}

export type ServerEvent =
  | { type: 'join'; nick: string; address: PeerAddress; resumed: boolean }
  | { type: 'leave'; nick: string; address: PeerAddress; reason: LeaveReason }
  | { type: 'refused'; code: WireErrorCode; nick: string; address: PeerAddress };

export interface ServerStats {
  received: number;
  accepted: number;
  datagramsOut: number;
  /** COOKIEs sent: every join's first step, and any JOIN whose cookie expired. */
  cookies: number;
  deliveries: number;
  /** Datagrams dropped, by reason (a decode error code, or a word such as "bad-token"). */
  drops: Record<string, number>;
}
