/**
 * `join --history N` in line mode (README): the output starts with the last N messages of the
 * room's history — fewer if the room has fewer, none for 0 — then goes on as usual. The server
 * replays its newcomer's share (50 messages); for more, older pages are asked for with
 * session.loadOlder() until there are N or nothing older (docs/protocol.md §6.2.11). Until the
 * history is complete every event is held, so lines stay in room order. Front-end logic only: it
 * reads session events and calls loadOlder().
 */
import type { ClientEvent } from '../client/session-types.js';
import { LOBBY_ID } from '../client/rooms-api.js';

type Entry = Extract<ClientEvent, { type: 'message' | 'presence' | 'presence-summary' }>;

function isEntry(e: ClientEvent): e is Entry {
  return e.type === 'message' || e.type === 'presence' || e.type === 'presence-summary';
}

function inLobby(e: Entry): boolean {
  return e.type === 'presence-summary' || (e.roomId ?? LOBBY_ID) === LOBBY_ID;
}

/** The entries from the `n`-th last message on (none for 0; all if there are fewer). */
export function lastMessages<T extends { type: string }>(entries: readonly T[], n: number): T[] {
  if (n <= 0) return [];
  let seen = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]?.type === 'message' && ++seen === n) return entries.slice(i);
  }
  return [...entries];
}

const messages = (entries: readonly { type: string }[]): number => entries.filter((e) => e.type === 'message').length;

export class JoinHistory {
  private phase: 'replay' | 'paging' | 'done';
  /** Every event held, in order; the replayed history is kept apart. */
  private held: ClientEvent[] = [];
  private replayed: Entry[] = [];
  /** Where in `held` the history goes (where its first entry came, or the first live entry). */
  private historyAt: number | undefined;
  private older: Entry[] = [];

  /**
   * `wanted`: N of `--history N`. `loadOlder`: asks the session for the next older page (called
   * outside of push, never re-entrantly). `out`: where events go once released, in order.
   */
  constructor(
    private readonly wanted: number,
    private readonly loadOlder: () => void,
    private readonly out: (e: ClientEvent) => void,
  ) {
    this.phase = 'replay';
  }

  /** Still holding events (history not complete yet). */
  get holding(): boolean {
    return this.phase !== 'done';
  }

  /** An event from the session: held until the history is complete, then passed on. */
  push(e: ClientEvent): void {
    if (this.phase === 'done') return this.out(e);
    if (e.type === 'join-failed' || e.type === 'closed') {
      this.finish();
      return this.out(e);
    }
    if (e.type === 'older') {
      this.older = [...e.entries, ...this.older];
      if (messages(this.older) + messages(this.replayed) >= this.wanted) return this.finish();
      return this.askOlder();
    }
    if (e.type === 'no-older' && this.phase === 'paging') {
      this.finish();
      return this.out(e);
    }
    if (isEntry(e) && inLobby(e) && e.history && this.phase === 'replay') {
      this.historyAt ??= this.held.length;
      this.replayed.push(e);
      return;
    }
    const live = isEntry(e) && inLobby(e) && !e.history;
    if (live) this.historyAt ??= this.held.length;
    this.held.push(e);
    // The first live entry of the room (our own join, normally): the server's replay is complete.
    if (live && this.phase === 'replay') {
      if (messages(this.replayed) >= this.wanted) return this.finish();
      this.phase = 'paging';
      this.askOlder();
    }
  }

  /** Releases everything held, the history first at its place (also when giving up waiting). */
  finish(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    const history = lastMessages([...this.older, ...this.replayed], this.wanted);
    const at = this.historyAt ?? this.held.length;
    const events = [...this.held.slice(0, at), ...history, ...this.held.slice(at)];
    this.held = [];
    this.replayed = [];
    this.older = [];
    for (const e of events) this.out(e);
  }

  private askOlder(): void {
    // Not from inside push(): the session may answer (no-older) synchronously.
    queueMicrotask(() => {
      if (this.phase === 'paging') this.loadOlder();
    });
  }
}
