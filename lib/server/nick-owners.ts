/**
 * Nick ownership in the server (docs/protocol.md §5.3 "Ownership", issue 10 item 5): a nick is
 * bound to the user key of the sealed session that first took it (NickBindings), kept bound while
 * its owner is online, and refused to any other key — and to every cleartext session, which has
 * none — until it has gone unused for `releaseAfterMs`. Sans-I/O: the shell saves `entries()`
 * whenever `changes` moved (store/nick-file.ts).
 *
 * A binding is kept under the nickKey of its nick (NickBindings); a name finds it by either of its
 * two keys (§5.3): its nickKey, else its nickCaseKey through `#byCase`, so `борис` finds the
 * binding of `Борис`. The nickKey match wins; of two bindings with one case key (bound apart
 * before both keys counted), the one used last.
 */
import { type NickBinding, NickBindings } from '../protocol/seal/nick-bindings.js';
import { fingerprint } from '../protocol/seal/fingerprint.js';
import { type NickKeys, nickCaseKey } from '../protocol/nick.js';

/** How often the bindings of members online are marked used (a binding is released after days). */
export const NICK_TOUCH_MS = 60_000;

export type NickRefusal = { readonly detail: string };

export class NickOwners {
  readonly #bindings: NickBindings;
  readonly #releaseAfterMs: number;
  /** nickCaseKey → nickKey of the binding; checked at lookup (a binding may have gone or changed spelling). */
  readonly #byCase = new Map<string, string>();
  /** Counts changes worth saving (a binding made, refreshed, released). */
  changes = 0;

  constructor(releaseAfterMs: number, entries: Iterable<NickBinding> = []) {
    this.#releaseAfterMs = releaseAfterMs;
    this.#bindings = new NickBindings({ releaseAfterMs }, entries);
    this.#indexCase();
  }

  get size(): number {
    return this.#bindings.size;
  }

  /** Why `owner` (undefined: a cleartext session) may not take a nick of these keys now; undefined if it may. */
  refusal(keys: NickKeys, owner: Uint8Array | undefined, now: number): NickRefusal | undefined {
    const b = this.ownerOf(keys);
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
  claim(nick: string, keys: NickKeys, owner: Uint8Array, now: number): boolean {
    const r = this.#bindings.claim(nick, keys.key, owner, now);
    if (!r.ok) return false;
    this.changes++;
    this.#byCase.set(keys.caseKey, keys.key);
    // Entries of bindings gone (released, evicted, respelled) are dropped now and then.
    if (this.#byCase.size > 2 * this.#bindings.size + 1_024) this.#indexCase();
    return true;
  }

  /** Marks a binding used now (a member online, or leaving). */
  touch(nickKey: string, owner: Uint8Array, now: number): void {
    const before = this.#bindings.ownerOf(nickKey)?.lastUsedMs;
    this.#bindings.touch(nickKey, owner, now);
    if (this.#bindings.ownerOf(nickKey)?.lastUsedMs !== before) this.changes++;
  }

  /** The binding of a nick of these keys (either key, §5.3; the nickKey match first), if any. */
  ownerOf(keys: NickKeys): NickBinding | undefined {
    const direct = this.#bindings.ownerOf(keys.key);
    if (direct !== undefined) return direct;
    const key = this.#byCase.get(keys.caseKey);
    const b = key === undefined ? undefined : this.#bindings.ownerOf(key);
    return b !== undefined && nickCaseKey(b.nick) === keys.caseKey ? b : undefined;
  }

  /** Rebuilds `#byCase` from the bindings: of two with one case key, the one used last (then the greater nickKey). */
  #indexCase(): void {
    this.#byCase.clear();
    const chosen = new Map<string, NickBinding>();
    for (const b of this.#bindings.entries()) {
      const caseKey = nickCaseKey(b.nick, b.nickKey);
      const other = chosen.get(caseKey);
      if (other === undefined || b.lastUsedMs > other.lastUsedMs || (b.lastUsedMs === other.lastUsedMs && b.nickKey > other.nickKey)) chosen.set(caseKey, b);
    }
    for (const [caseKey, b] of chosen) this.#byCase.set(caseKey, b.nickKey);
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
