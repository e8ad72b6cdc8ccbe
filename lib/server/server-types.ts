/** What the server core hands its shell: datagrams to send, events, statistics. */
import type { WireErrorCode } from '../protocol/error-codes.js';
import type { LeaveReason } from '../protocol/messages.js';
import type { PeerAddress } from './peer-address.js';

/** A datagram to send: to one peer, or the same bytes to many. */
export interface Outgoing {
  to: PeerAddress | readonly PeerAddress[];
  data: Buffer;
}

/**
 * What the seal layer proved about a datagram's sender (docs/sealed-design.md §3): the user's
 * static X25519 public key from its handshake. Undefined for a cleartext session.
 */
export interface SealedPeer {
  readonly staticKey: Uint8Array;
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
