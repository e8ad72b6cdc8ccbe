/**
 * Join/leave lines under churn (issue 10 item 8; docs/protocol.md §6.2.12): a front end shows each
 * presence entry as a line, which is right for a room where people come and go, and useless when
 * a script joins and leaves hundreds of times a minute (a member's screen and a newcomer's history
 * become all presence). So presence events pass through one by one while they are rare — at most
 * {@link QUIET_LIMIT} in {@link WINDOW_MS} — and past that they are held for the rest of the window
 * and shown as one `presence-summary` event ("12 people joined, 9 left: ann, bob, …"). A chat
 * message (or any other event) flushes what is held first, so the order of lines is the room's.
 * The member list is unaffected: it follows every entry (roster events pass at once). Our own
 * join is never folded into a summary. Nothing on the wire changes: this is presentation, and a
 * server of any revision is shown the same way. Sans-I/O: time comes in.
 */
import type { ClientEvent } from './session-types.js';

type Presence = Extract<ClientEvent, { type: 'presence' }>;
export type PresenceSummary = Extract<ClientEvent, { type: 'presence-summary' }>;

/** Presence lines shown one by one within a window before the rest are summarised. */
export const QUIET_LIMIT = 4;
/** The window, ms. */
export const WINDOW_MS = 2_000;
/** Nicks named in a summary (the rest are counted). */
const NAMED = 5;

export class PresenceCoalescer {
  /** Times of the presence events passed through, newest last (at most QUIET_LIMIT kept). */
  private readonly recent: number[] = [];
  private held: Presence[] = [];
  private flushAt = Infinity;

  constructor(
    private readonly emit: (e: ClientEvent) => void,
    private readonly ownNick: () => string,
  ) {}

  /** Takes an event of the feed at `now`. */
  push(e: ClientEvent, now: number): void {
    if (e.type === 'roster') return this.emit(e);
    if (e.type !== 'presence' || (e.action === 'join' && !e.history && e.nick === this.ownNick())) {
      this.flush();
      return this.emit(e);
    }
    const first = this.held[0];
    if (first !== undefined && (first.history !== e.history || first.missed !== e.missed)) this.flush();
    while (this.recent.length > 0 && now - (this.recent[0] as number) >= WINDOW_MS) this.recent.shift();
    if (this.held.length === 0 && this.recent.length < QUIET_LIMIT) {
      this.recent.push(now);
      return this.emit(e);
    }
    if (this.held.length === 0) this.flushAt = now + WINDOW_MS;
    this.held.push(e);
  }

  /** Shows what is held once its window has passed. */
  tick(now: number): void {
    if (now >= this.flushAt) this.flush();
  }

  nextDeadline(): number {
    return this.flushAt;
  }

  /** Shows what is held now (one event as itself, more as a summary). */
  flush(): void {
    const held = this.held;
    this.held = [];
    this.flushAt = Infinity;
    if (held.length === 1) this.emit(held[0] as Presence);
    else if (held.length > 1) this.emit(summarise(held));
  }
}

export function summarise(held: readonly Presence[]): PresenceSummary {
  const joined = held.filter((e) => e.action === 'join').length;
  const names: string[] = [];
  for (const e of held) if (!names.includes(e.nick)) names.push(e.nick);
  const last = held[held.length - 1] as Presence;
  return {
    type: 'presence-summary',
    joined,
    left: held.length - joined,
    nicks: names.slice(0, NAMED),
    people: names.length,
    fromSeq: (held[0] as Presence).seq,
    toSeq: last.seq,
    time: last.time,
    history: last.history,
    ...(last.missed === true ? { missed: true as const } : {}),
  };
}

/** The line for a summary (nicks escaped by `escape`), e.g. "12 joins and 9 leaves (7 people: ann, bob, …)". */
export function summaryText(e: PresenceSummary, escape: (s: string) => string): string {
  const parts: string[] = [];
  if (e.joined > 0) parts.push(`${e.joined} ${e.joined === 1 ? 'join' : 'joins'}`);
  if (e.left > 0) parts.push(`${e.left} ${e.left === 1 ? 'leave' : 'leaves'}`);
  const more = e.people > e.nicks.length ? ', …' : '';
  return `${parts.join(' and ')} (${e.people} ${e.people === 1 ? 'person' : 'people'}: ${e.nicks.map(escape).join(', ')}${more})`;
}
