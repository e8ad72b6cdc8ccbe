/**
 * A stable colour per nickname: a hash (lib/client/nick-hash.ts) picks one of a palette of colours that read well on dark and light backgrounds.
 * Same nick, same colour, on every run and every machine.
 */

/** xterm palette indices: no black, white or greys, and no red (kept for errors). */
export const NICK_PALETTE: readonly number[] = [2, 3, 4, 5, 6, 10, 12, 13, 14, 33, 36, 70, 130, 135, 166, 172];

import { nickHash } from '../client/nick-hash.js';

export { nickHash };

/** The palette colour of a nick. */
export function nickColour(nick: string): number {
  return NICK_PALETTE[nickHash(nick) % NICK_PALETTE.length] ?? 6;
}
