/**
 * The hash behind every front end's nick colours: 32-bit FNV-1a over the UTF-8 bytes of the nick
 * as the server registered it. It names the colour a nick prefers, the same on every machine
 * (presentation.ts gives another when that one is taken).
 */
const encoder = new TextEncoder();

export function nickHash(nick: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(nick)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
