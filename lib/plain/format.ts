/** Small formatting helpers for line mode's output (colours only when asked for). */
import { nickColour } from '../client/presentation.js';

export { formatClock } from '../client/presentation.js';

/** Dims text when colour is on (time stamps). */
export function dim(color: boolean, text: string): string {
  return color ? `\x1b[2m${text}\x1b[22m` : text;
}

/** Bold text when colour is on (your own nick). */
export function bold(color: boolean, text: string): string {
  return color ? `\x1b[1m${text}\x1b[22m` : text;
}

/** Text in the colour of `nick` when colour is on: the full-screen client's palette (SGR 38;5;N). */
export function inNickColour(color: boolean, nick: string, text: string): string {
  return color ? `\x1b[38;5;${nickColour(nick)}m${text}\x1b[39m` : text;
}
