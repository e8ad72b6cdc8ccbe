/** ROSTER paging (docs/protocol.md §4.2.13): nicknames packed greedily into ≤ 1200-byte pages. */
import { CHECKSUM_BYTES, HEADER_BYTES, MAX_DATAGRAM } from '../protocol/constants.js';

const ROSTER_OVERHEAD = HEADER_BYTES + 4 + 2 + 2 + 1 + CHECKSUM_BYTES;

export function rosterPages(nicks: readonly string[]): string[][] {
  const pages: string[][] = [[]];
  let size = ROSTER_OVERHEAD;
  for (const nick of nicks) {
    const n = 1 + Buffer.byteLength(nick);
    let page = pages[pages.length - 1] as string[];
    if (size + n > MAX_DATAGRAM || page.length === 255) {
      page = [];
      pages.push(page);
      size = ROSTER_OVERHEAD;
    }
    page.push(nick);
    size += n;
  }
  return pages;
}
