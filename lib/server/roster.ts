/** ROSTER paging (docs/protocol.md §4.2.13, §6.1.6): nicknames packed greedily into pages of at most the server's datagram limit. */
import { CHECKSUM_BYTES, HEADER_BYTES } from '../protocol/constants.js';

const ROSTER_OVERHEAD = HEADER_BYTES + 4 + 2 + 2 + 1 + CHECKSUM_BYTES;

/** Pages of at most `limit` bytes (ServerOptions.maxDatagram). */
export function rosterPages(nicks: readonly string[], limit: number): string[][] {
  const pages: string[][] = [[]];
  let size = ROSTER_OVERHEAD;
  for (const nick of nicks) {
    const n = 1 + Buffer.byteLength(nick);
    let page = pages[pages.length - 1] as string[];
    if (size + n > limit || page.length === 255) {
      page = [];
      pages.push(page);
      size = ROSTER_OVERHEAD;
    }
    page.push(nick);
    size += n;
  }
  return pages;
}

/** Size of the ROSTER datagram that carries these nicks. */
export function rosterPageBytes(nicks: readonly string[]): number {
  let n = ROSTER_OVERHEAD;
  for (const nick of nicks) n += 1 + Buffer.byteLength(nick);
  return n;
}

/** One member list in pages, and the room seq it reflects. */
export interface RosterSnapshot {
  readonly asOfSeq: number;
  readonly pages: readonly (readonly string[])[];
}

/**
 * The member list in pages, computed once per membership change. `nicks` is a new array exactly
 * when membership changed (SessionTable caches it), so chat traffic between page requests keeps
 * the same snapshot and the same asOfSeq: the room seq when the list was first asked for after the
 * change, which reflects every join and leave entry up to it and none after it.
 */
export class RosterBook {
  private cache: { nicks: readonly string[]; snapshot: RosterSnapshot } | undefined;

  /** `limit`: the largest ROSTER, ServerOptions.maxDatagram. */
  constructor(private readonly limit: number) {}

  snapshot(nicks: readonly string[], lastSeq: number): RosterSnapshot {
    if (this.cache?.nicks !== nicks) this.cache = { nicks, snapshot: { asOfSeq: lastSeq, pages: rosterPages(nicks, this.limit) } };
    return this.cache.snapshot;
  }
}
