/** Small formatting helpers for line-oriented output (line mode and server logs). */
import { nickHash } from '../client/nick-hash.js';

/** "HH:MM:SS" in local time. */
export function formatClock(time: number): string {
  const d = new Date(time);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** SGR foreground colours that read on dark and light backgrounds (no black, white or grey). */
const PALETTE = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

/** Dims text when colour is on (time stamps). */
export function dim(color: boolean, text: string): string {
  return color ? `\x1b[2m${text}\x1b[22m` : text;
}

/** Bold text when colour is on (your own nick). */
export function bold(color: boolean, text: string): string {
  return color ? `\x1b[1m${text}\x1b[22m` : text;
}

/** Text in the stable colour of `nick` when colour is on (the same hash as the full-screen client). */
export function inNickColour(color: boolean, nick: string, text: string): string {
  return color ? `\x1b[${PALETTE[nickHash(nick) % PALETTE.length] as number}m${text}\x1b[39m` : text;
}
