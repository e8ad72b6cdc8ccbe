/** Small formatting helpers for line-oriented output (line mode and server logs). */

/** "HH:MM:SS" in local time. */
export function formatClock(time: number): string {
  const d = new Date(time);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const PALETTE = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

/** A stable colour for a nickname (FNV-1a hash of its UTF-16 units). */
export function nickColour(nick: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < nick.length; i++) h = Math.imul(h ^ nick.charCodeAt(i), 0x01000193);
  return PALETTE[(h >>> 0) % PALETTE.length] as number;
}

/** Wraps text in an SGR colour when colour is on: 'dim', 'own' (bold), or a nick's colour. */
export function paint(color: boolean, style: string, text: string): string {
  if (!color) return text;
  if (style === 'dim') return `\x1b[2m${text}\x1b[22m`;
  if (style === 'own') return `\x1b[1m${text}\x1b[22m`;
  return `\x1b[${nickColour(style)}m${text}\x1b[39m`;
}
