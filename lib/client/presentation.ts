/**
 * How both front ends (the full-screen client and line mode) present a session: text from the
 * network made safe to show, a colour per nick, and the clock. One module, so that the two look
 * alike and a fix reaches both.
 */
import { nickHash } from './nick-hash.js';

export { displayLines, escapeForTerminal, TAB_SPACES } from './display-text.js';
export { nickHash } from './nick-hash.js';
export { LogSections, type Marker, SECTION_MARKERS, type Section, sectionOf } from './log-sections.js';

/**
 * Nick colours as xterm-256 palette indices: twelve hues far apart (no two within the same
 * family, as the old palette's three cyans were), all readable on dark and light backgrounds; no
 * greys (used for system lines) and no red (kept for errors). Line mode uses the same indices
 * (SGR 38;5;N).
 */
export const NICK_PALETTE: readonly number[] = [33, 166, 201, 34, 141, 126, 36, 93, 205, 106, 62, 25];

/**
 * Colours given to nicks, for one run of a client. A nick keeps the colour it was first given. A
 * nick seen for the first time takes the colour its hash names unless another nick already has
 * it, and then the next free one (from there, round the palette): the first twelve people seen all
 * differ (by hash alone ann and bob, cat and alice shared one). Past twelve, colours repeat, by
 * hash. Both front ends ask the same instance, so they agree; another client may have seen people
 * in another order and colour them otherwise.
 */
export class NickColours {
  private readonly given = new Map<string, number>();
  private readonly taken = new Set<number>();

  constructor(private readonly limit = 1024) {}

  of(nick: string): number {
    const known = this.given.get(nick);
    if (known !== undefined) return known;
    // Bounded memory: past the limit everyone starts over (colours may change, once, in a huge room).
    if (this.given.size >= this.limit) {
      this.given.clear();
      this.taken.clear();
    }
    const n = NICK_PALETTE.length;
    const preferred = nickHash(nick) % n;
    let slot = preferred;
    for (let k = 0; k < n; k++) {
      const s = (preferred + k) % n;
      if (!this.taken.has(s)) {
        slot = s;
        break;
      }
    }
    this.taken.add(slot);
    const colour = NICK_PALETTE[slot] ?? 33;
    this.given.set(nick, colour);
    return colour;
  }
}

const colours = new NickColours();

/** The palette colour of a nick: the same in both front ends and for the whole run (see NickColours). */
export function nickColour(nick: string): number {
  return colours.of(nick);
}

// Formatters, not Date objects: this module reads no clock (spec/architecture.spec.ts); the time
// shown is the one it is given, in the local time zone, 00–23 hours.
const HOURS_MINUTES = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const HOURS_MINUTES_SECONDS = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/**
 * A formatter that remembers its last answer: in a busy room most lines carry the same second
 * (Intl formatting per line was 6% of a line-mode client's CPU at 100 msg/s). Exact: the text
 * depends only on the whole `unitMs` period of the time (time-zone changes fall on whole minutes).
 */
function remembering(f: Intl.DateTimeFormat, unitMs: number): (ms: number) => string {
  let unit = NaN;
  let text = '';
  return (ms) => {
    const u = Math.floor(ms / unitMs);
    if (u !== unit) {
      unit = u;
      text = f.format(ms);
    }
    return text;
  };
}

/** "HH:MM" in local time (the full-screen log). */
export const formatTime = remembering(HOURS_MINUTES, 60_000);

/** "HH:MM:SS" in local time (line mode). */
export const formatClock = remembering(HOURS_MINUTES_SECONDS, 1_000);

/** The RGB of an xterm-256 colour index of the 6×6×6 cube or the grey ramp (16–255). */
export function xtermRgb(index: number): readonly [number, number, number] {
  if (index >= 232) {
    const v = 8 + (index - 232) * 10;
    return [v, v, v];
  }
  const level = (n: number): number => (n === 0 ? 0 : 55 + n * 40);
  const i = index - 16;
  return [level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6)];
}
