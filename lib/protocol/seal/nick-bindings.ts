/**
 * Nick ownership (issue 10 item 5; docs/sealed-design.md §3): the server binds a nickname's
 * uniqueness key (nick.ts) to the user key that first joined with it, and refuses the nick to any
 * other key until the binding has gone unused for `releaseAfterMs` (30 days by default). The
 * operator can release a binding (a lost key). Pure: time is an argument; persistence is the
 * store's business (entries() out, the constructor in).
 */

/** One binding: the nick as last shown, its owner's X25519 public key, when it was last used. */
export interface NickBinding {
  readonly nickKey: string;
  readonly nick: string;
  readonly owner: Buffer;
  readonly lastUsedMs: number;
}

export type ClaimResult =
  | { readonly ok: true; readonly binding: NickBinding; readonly created: boolean }
  | { readonly ok: false; readonly reason: 'owned'; readonly binding: NickBinding; readonly freeAtMs: number }
  | { readonly ok: false; readonly reason: 'full' };

export interface NickBindingsOptions {
  /** A binding unused this long may be taken by another key. */
  readonly releaseAfterMs: number;
  /** Most bindings kept; past it, new nicks are refused unless an expired binding can go. */
  readonly maxBindings: number;
}

export const DEFAULT_NICK_BINDINGS: NickBindingsOptions = { releaseAfterMs: 30 * 24 * 3600 * 1000, maxBindings: 65_536 };

export class NickBindings {
  readonly #options: NickBindingsOptions;
  readonly #byKey = new Map<string, NickBinding>();

  constructor(options: Partial<NickBindingsOptions> = {}, entries: Iterable<NickBinding> = []) {
    this.#options = { ...DEFAULT_NICK_BINDINGS, ...options };
    for (const entry of entries) this.#byKey.set(entry.nickKey, { ...entry, owner: Buffer.from(entry.owner) });
  }

  get size(): number {
    return this.#byKey.size;
  }

  /**
   * A join as `nick` (key `nickKey`) by `owner` at `nowMs`: granted to the owner (its binding is
   * refreshed, the shown nick updated), to anyone when the nick is unbound or its binding expired
   * (then it is bound to them), refused otherwise with the time it frees itself.
   */
  claim(nick: string, nickKey: string, owner: Uint8Array, nowMs: number): ClaimResult {
    const current = this.#byKey.get(nickKey);
    const mine = current !== undefined && current.owner.equals(owner);
    if (current !== undefined && !mine && !this.#expired(current, nowMs)) {
      return { ok: false, reason: 'owned', binding: current, freeAtMs: current.lastUsedMs + this.#options.releaseAfterMs };
    }
    if (current === undefined && this.#byKey.size >= this.#options.maxBindings && !this.#evictExpired(nowMs)) {
      return { ok: false, reason: 'full' };
    }
    const binding: NickBinding = { nickKey, nick, owner: Buffer.from(owner), lastUsedMs: nowMs };
    this.#byKey.set(nickKey, binding);
    return { ok: true, binding, created: !mine };
  }

  /** Marks the binding used (while its owner is online, and when it leaves). */
  touch(nickKey: string, owner: Uint8Array, nowMs: number): void {
    const current = this.#byKey.get(nickKey);
    if (current?.owner.equals(owner) === true && nowMs > current.lastUsedMs) this.#byKey.set(nickKey, { ...current, lastUsedMs: nowMs });
  }

  /** The binding of a nick key, for /whois (undefined if none). */
  ownerOf(nickKey: string): NickBinding | undefined {
    return this.#byKey.get(nickKey);
  }

  /** The operator's release of a nick (a user lost their key). True if there was a binding. */
  release(nickKey: string): boolean {
    return this.#byKey.delete(nickKey);
  }

  /** Every binding, for the store. */
  entries(): NickBinding[] {
    return [...this.#byKey.values()];
  }

  #expired(binding: NickBinding, nowMs: number): boolean {
    return nowMs - binding.lastUsedMs >= this.#options.releaseAfterMs;
  }

  /** Drops the least recently used binding if it has expired; false if none has. */
  #evictExpired(nowMs: number): boolean {
    let oldest: NickBinding | undefined;
    for (const binding of this.#byKey.values()) if (oldest === undefined || binding.lastUsedMs < oldest.lastUsedMs) oldest = binding;
    if (oldest === undefined || !this.#expired(oldest, nowMs)) return false;
    this.#byKey.delete(oldest.nickKey);
    return true;
  }
}
