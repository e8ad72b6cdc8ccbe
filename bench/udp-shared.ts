/**
 * What all peers of one UDP load generator share: the target, the counters, the step book, and
 * the decoded DATA datagrams (the server sends the same bytes to every member: decode once).
 */
import { decode, type Entry } from '../lib/protocol/index.js';
import { parseText, type ParsedText, type StepBook } from './load-common.js';

export type Target = 'udpchat' | 'relay';

/** What a peer needs to know about a room entry (decoded once per distinct DATA datagram). */
export interface EntryInfo {
  kind: Entry['kind'];
  msg: ParsedText | undefined;
}

/** State and counters shared by all peers of one load generator. */
export class Shared {
  readonly book: StepBook;
  readonly errors: Record<string, number> = {};
  readonly dataCache = new Map<number, EntryInfo[]>();
  /** Step each in-flight message belongs to is in the text; acks are counted per step here. */
  ackedThisStep = 0;
  ackedInWindow = 0;
  inWindow = false;
  datagramsIn = 0;
  datagramsOut = 0;
  dataDatagrams = 0;
  dataEntries = 0;
  wireDuplicates = 0;
  retransmissions = 0;
  nacks = 0;
  /** performance.now() of the last datagram any peer received. */
  lastInAt = 0;
  /** performance.now() of the last acknowledgement of a message of the current step. */
  lastAckAt = 0;
  /** Entries skipped because the server answered HISTORY_GONE. */
  historyGone = 0;
  /** Datagrams a stopped peer dropped (the stall experiment). */
  deafDrops = 0;
  /** Called with the receiver's index for every delivery of the current step (the stall experiment). */
  onDelivery: ((receiver: number) => void) | undefined;
  /** Highest room sequence number any peer has seen. */
  roomSeq = 0;

  constructor(
    readonly target: Target,
    readonly host: string,
    readonly port: number,
    readonly peers: number,
    book: StepBook,
    /** Peers per source address (127.0.1.x), to stay under a per-IP session cap; 0: all on 127.0.0.1. */
    readonly peersPerIp = 0,
  ) {
    this.book = book;
  }

  /** Source address of peer i. */
  bindAddress(i: number): string {
    return this.peersPerIp > 0 ? `127.0.1.${1 + Math.floor(i / this.peersPerIp)}` : '127.0.0.1';
  }

  count(what: string): void {
    this.errors[what] = (this.errors[what] ?? 0) + 1;
  }

  /** Decoded entries of a DATA datagram; identical bytes go to every member, so decode once. */
  entries(buf: Buffer): { first: number; infos: EntryInfo[] } | undefined {
    const first = buf.readUInt32BE(4);
    const key = first * 256 + (buf[8] ?? 0);
    let infos = this.dataCache.get(key);
    if (infos === undefined) {
      let m;
      try {
        m = decode(buf);
      } catch {
        this.count('undecodable');
        return undefined;
      }
      if (m.type !== 'data') return undefined;
      infos = m.entries.map((e) => ({ kind: e.kind, msg: e.kind === 'msg' ? parseText(e.text) : undefined }));
      if (this.dataCache.size > 50_000) this.dataCache.clear();
      this.dataCache.set(key, infos);
    }
    return { first, infos };
  }
}
