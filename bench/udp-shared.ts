/**
 * What all peers of one UDP load generator process share: the target, the step book and the
 * counters. (Nothing a peer decodes is shared: each one does its own work.)
 */
import type { StepBook } from './load-common.js';

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
  /** Called with the receiver's index for every delivery of the current step (the stall experiment). */
  onDelivery: ((receiver: number) => void) | undefined;

  constructor(
    readonly target: Target,
    readonly host: string,
    readonly port: number,
    /** Peers in the whole room (all load generator processes). */
    readonly peers: number,
    readonly book: StepBook,
    /** Peers per source address (127.0.1.x), to stay under a per-IP session cap; 0: all on 127.0.0.1. */
    readonly peersPerIp: number,
    /** A peer has a timer due: the load generator ticks it. */
    readonly wake: (p: { tick(now: number): boolean }) => void,
  ) {}

  /** Source address of peer i. */
  bindAddress(i: number): string {
    return this.peersPerIp > 0 ? `127.0.1.${1 + Math.floor(i / this.peersPerIp)}` : '127.0.0.1';
  }

  count(what: string): void {
    this.errors[what] = (this.errors[what] ?? 0) + 1;
  }
}
