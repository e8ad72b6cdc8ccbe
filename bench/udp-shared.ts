/**
 * What all peers of one UDP load generator process share: the target, the step book and the
 * counters. (Nothing a peer decodes is shared: each one does its own work.)
 */
import type { StepBook } from './load-common.js';

/** Addresses used in one /24 (see bindAddress). */
const IPS_PER_PREFIX = 8;

/** udp-chat, the naive relay, or the batching relay. */
export type Target = 'udpchat' | 'relay' | 'batch';

/** State and counters shared by all peers of one load generator. */
export class Shared {
  readonly errors: Record<string, number> = {};
  /** Texts of the notices the client cores showed (the stall experiment reports them). */
  readonly notices: string[] = [];
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
  /** Datagrams a frozen peer's socket buffer could not hold (the stall experiment). */
  frozenDrops = 0;
  /** `udpchat` peers seal their sessions (loadgen --sealed: the server's `sealed` row). */
  sealed = false;
  /** Called with the receiver's index for every delivery of the current step (the stall experiment). */
  onDelivery: ((receiver: number) => void) | undefined;

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
