/**
 * A stable colour per nickname: a hash (FNV-1a over the UTF-8 bytes of the nick as the server
 * registered it) picks one of a palette of colours that read well on dark and light backgrounds.
 * Same nick, same colour, on every run and every machine.
 */

/** xterm palette indices: no black, white or greys, and no red (kept for errors). */
export const NICK_PALETTE: readonly number[] = [2, 3, 4, 5, 6, 10, 12, 13, 14, 33, 36, 70, 130, 135, 166, 172];

const encoder = new TextEncoder();

/** 32-bit FNV-1a hash of the nick's UTF-8 bytes. */
export function nickHash(nick: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(nick)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The palette colour of a nick. */
export function nickColour(nick: string): number {
  return NICK_PALETTE[nickHash(nick) % NICK_PALETTE.length] ?? 6;
}
