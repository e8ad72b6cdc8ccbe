/**
 * Nick ownership in the server (docs/protocol.md §5.3 "Ownership", issue 10 item 5): a nick is
 * bound to the user key of the sealed session that first took it (NickBindings), kept bound while
 * its owner is online, and refused to any other key — and to every cleartext session, which has
 * none — until it has gone unused for `releaseAfterMs`. Sans-I/O: the shell saves `entries()`
 * whenever `changes` moved (store/nick-file.ts).
 */
import { type NickBinding, NickBindings } from '../protocol/seal/nick-bindings.js';
import { fingerprint } from '../protocol/seal/fingerprint.js';

/** How often the bindings of members online are marked used (a binding is released after days). */
export const NICK_TOUCH_MS = 60_000;

export type NickRefusal = { readonly detail: string };

export class NickOwners {
  readonly #bindings: NickBindings;
  readonly #releaseAfterMs: number;
  /** Counts changes worth saving (a binding made, refreshed, released). */
  changes = 0;

  constructor(releaseAfterMs: number, entries: Iterable<NickBinding> = []) {
    this.#releaseAfterMs = releaseAfterMs;
    this.#bindings = new NickBindings({ releaseAfterMs }, entries);
  }

  get size(): number {
    return this.#bindings.size;
  }

  /** Why `owner` (undefined: a cleartext session) may not take the nick of key `nickKey` now; undefined if it may. */
  refusal(nickKey: string, owner: Uint8Array | undefined, now: number): NickRefusal | undefined {
    const b = this.#bindings.ownerOf(nickKey);
    if (b === undefined || (owner !== undefined && b.owner.equals(owner))) return undefined;
    const freeAt = b.lastUsedMs + this.#releaseAfterMs;
    if (now >= freeAt) return undefined;
    const days = Math.ceil((freeAt - now) / 86_400_000);
    const fix = owner === undefined ? 'join sealed with that key, or pick another nick' : 'pick another nick';
    return { detail: `"${b.nick}" is bound to ${owner === undefined ? 'a' : 'another'} user key: ${fix} (it frees after ${days} more days unused, or ask the server's operator)` };
  }

  /**
   * Binds (or refreshes) the nick for `owner` at a join that passed {@link refusal}. False when the
   * table is full of bindings still in use: the session then goes on with its nick unbound.
   */
  claim(nick: string, nickKey: string, owner: Uint8Array, now: number): boolean {
    const r = this.#bindings.claim(nick, nickKey, owner, now);
    if (r.ok) this.changes++;
    return r.ok;
  }

  /** Marks a binding used now (a member online, or leaving). */
  touch(nickKey: string, owner: Uint8Array, now: number): void {
    const before = this.#bindings.ownerOf(nickKey)?.lastUsedMs;
    this.#bindings.touch(nickKey, owner, now);
    if (this.#bindings.ownerOf(nickKey)?.lastUsedMs !== before) this.changes++;
  }

  /** The binding of a nick key (for WHOIS), if any. */
  ownerOf(nickKey: string): NickBinding | undefined {
    return this.#bindings.ownerOf(nickKey);
  }

  /** Every binding, for the store. */
  entries(): NickBinding[] {
    return this.#bindings.entries();
  }
}

/** The owner's fingerprint as `serve` logs it and `/whois` shows it. */
export function ownerFingerprint(b: NickBinding): string {
  return fingerprint(b.owner);
}
