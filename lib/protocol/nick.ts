/**
 * Nickname rules (DESIGN-NOTES "Identity and security"): which nicknames are valid, their display
 * form, and the key under which two nicknames count as the same person. Pure: no I/O.
 *
 * Unicode data comes from the JavaScript engine (V8/ICU), so which code points are "unassigned"
 * follows the server's Node version; the server is the one that decides. The look-alike data of
 * the uniqueness key is Unicode's confusables.txt, in a table generated into nick-key-table.ts.
 */
import { MAX_NICK_BYTES, MAX_NICK_CHARS } from './constants.js';
import { NICK_KEY_TABLE } from './nick-key-table.js';
import { utf8Length } from './wire.js';

/**
 * The two uniqueness keys of a name (docs/protocol.md §5.3): two names are the same when EITHER key
 * is equal. `key` is {@link nickKey} (look-alikes first), `caseKey` is {@link nickCaseKey} (case
 * first); for a name of Latin letters, digits and symbols they are equal.
 */
export interface NickKeys {
  readonly key: string;
  readonly caseKey: string;
}

export type NickCheck = ({ ok: true; nick: string } & NickKeys) | { ok: false; reason: string };

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Forbidden code point classes, checked in this order; the first match gives the reason. */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\p{Cc}/u, 'nickname contains a control character'],
  [/[\p{White_Space}\p{Z}]/u, 'nickname contains a space'],
  // ZWJ is the one format character allowed: emoji sequences (👩‍💻) need it.
  [/(?!\u200D)\p{Cf}/u, 'nickname contains an invisible formatting character'],
  [/\p{Cn}/u, 'nickname contains an unassigned character'],
  [/\p{Co}/u, 'nickname contains a private-use character'],
  // Default-ignorable letters and marks (Hangul fillers U+3164…, U+034F, Khmer U+17B4) and the
  // braille blank U+2800 render as nothing or as a blank: "bob" + U+3164 would look like "bob".
  // Variation selectors stay allowed, emoji presentation (❤️) needs U+FE0F.
  [/(?![\u200D\p{Variation_Selector}])[\p{Default_Ignorable_Code_Point}\u2800]/u, 'nickname contains an invisible character'],
];

/** Reserved by the chat syntax (addressing "nick:", lists, mentions, channels). */
const RESERVED = /[:,@#]/u;

/**
 * Validates a nickname as typed or received and returns its display form (NFC) and its two uniqueness
 * keys ({@link nickKeys}), or a short human-readable reason (fits an ERROR detail).
 *
 * Valid: well-formed Unicode; after NFC 1..MAX_NICK_CHARS grapheme clusters and ≤ MAX_NICK_BYTES
 * UTF-8 bytes; no control, whitespace, format (except U+200D ZWJ), unassigned, private-use or other
 * invisible characters; none of `: , @ #` and no leading `/`. The last two rules are also applied to
 * the NFKC form, so fullwidth or small look-alikes ("＠", "／") are refused too. Never throws.
 */
export function checkNick(raw: string): NickCheck {
  if (!raw.isWellFormed()) return fail('nickname is not valid Unicode (lone surrogate)');
  const nick = raw.normalize('NFC');
  if (nick.length === 0) return fail('nickname is empty');
  for (const [pattern, reason] of RULES) if (pattern.test(nick)) return fail(reason);
  const compat = nick.normalize('NFKC');
  const reserved = RESERVED.exec(nick) ?? RESERVED.exec(compat);
  if (reserved !== null) return fail(`nickname contains "${reserved[0]}"`);
  if (nick.startsWith('/') || compat.startsWith('/')) return fail('nickname starts with "/"');
  let clusters = 0;
  for (const _ of SEGMENTER.segment(nick)) {
    if (++clusters > MAX_NICK_CHARS) return fail(`nickname is longer than ${MAX_NICK_CHARS} characters`);
  }
  if (utf8Length(nick) > MAX_NICK_BYTES) return fail(`nickname is longer than ${MAX_NICK_BYTES} bytes`);
  return { ok: true, nick, ...nickKeys(nick) };
}

function fail(reason: string): NickCheck {
  return { ok: false, reason };
}

/** nickKey's map: code point → key, generated from Unicode's confusables.txt (see the table file). */
const KEY_MAP: ReadonlyMap<string, string> = parseKeyTable(NICK_KEY_TABLE);

/** Default-ignorable code points (ZWJ, variation selectors …) are invisible: dropped from the key. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** Combining diacritical marks (the blocks of marks used with Latin, Greek and Cyrillic letters). */
const DIACRITIC = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/u;
const MARK = /\p{M}/u;
const LGC_LETTER = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;

/**
 * The first uniqueness key of a nickname (look-alikes before case): two nicknames with the same
 * key, or the same {@link nickCaseKey}, may not be online at once (docs/protocol.md §5.3). Compatibility decomposition (NFKD: fullwidth "ｂｏｂ", ligatures,
 * mathematical letters), default-ignorable code points dropped, then each code point replaced by
 * its entry in the generated table — the UTS #39 skeleton (confusables.txt prototypes) combined
 * with lower case, small capitals as capitals, and i = l (capital I looks like l) — then NFD, and
 * last the diacritics of Latin, Greek and Cyrillic letters dropped ("alíce" is "alice").
 * So "ALICE", "Аlice" (Cyrillic А), "al1ce", "aIice", "ɑlice" and "ᴀlice" all key as "allce".
 * The key is for comparison only, never for display. Never throws; idempotent.
 */
export function nickKey(nick: string): string {
  let mapped = '';
  for (const ch of nick.normalize('NFKD').replace(IGNORABLE, '')) mapped += KEY_MAP.get(ch) ?? ch;
  return dropDiacritics(mapped.normalize('NFD'));
}

/**
 * Drops the combining diacritics that follow a Latin, Greek or Cyrillic base letter. Marks of other
 * scripts stay (a Devanagari vowel sign or a Tamil virama changes the word), and so does a Latin
 * diacritic on a base of another script.
 */
function dropDiacritics(s: string): string {
  let out = '';
  let lgcBase = false;
  for (const ch of s) {
    if (DIACRITIC.test(ch)) {
      if (!lgcBase) out += ch;
      continue;
    }
    if (!MARK.test(ch)) lgcBase = LGC_LETTER.test(ch);
    out += ch;
  }
  return out;
}

/**
 * The second uniqueness key (§5.3): {@link nickKey} of the name case-folded first (NFKD, then
 * `toUpperCase().toLowerCase()`, locale-independent). nickKey maps look-alikes before case, so a
 * Greek or Cyrillic capital and its small letter can key apart (`Б` ≈ B but `б` ≈ 6, `Ν` ≈ N but
 * `ν` ≈ v); this key joins them (`Борис` = `борис`, `ΝΑ` = `να`), while nickKey keeps the capitals
 * that look like other Latin letters apart from their small letters' look-alikes (`Νick` = `Nick`).
 * Neither key alone can do both. Never throws; idempotent.
 */
export function nickCaseKey(nick: string, key?: string): string {
  const decomposed = nick.normalize('NFKD');
  const folded = decomposed.toUpperCase().toLowerCase();
  return folded === decomposed ? (key ?? nickKey(nick)) : nickKey(folded);
}

/** Both uniqueness keys of a name. */
export function nickKeys(nick: string): NickKeys {
  const key = nickKey(nick);
  return { key, caseKey: nickCaseKey(nick, key) };
}

/** True if two names are the same nickname (or room name) for the server: either key is equal (§5.3). */
export function sameNick(a: string, b: string): boolean {
  if (a === b) return true;
  const x = nickKeys(a);
  const y = nickKeys(b);
  return x.key === y.key || x.caseKey === y.caseKey;
}

/** A room name without its leading `#`: rooms compare as nicknames do (§5.3), so `#ОБЩИЙ` is `#общий`. */
export function bareRoomName(name: string): string {
  return name.startsWith('#') ? name.slice(1) : name;
}

/** True if two room names, with or without their `#`, name one room for the server (§5.3). */
export function sameRoom(a: string, b: string): boolean {
  return sameNick(bareRoomName(a), bareRoomName(b));
}

/**
 * Values kept by name, two names being one when the server takes them as one (§5.3: EITHER key
 * equal, {@link sameNick}), so `борис` finds what was kept under `Борис` and `Nick` what was kept
 * under `ΝICK`. For a client's lists of people and rooms (ignored, asked for, being joined again).
 */
export class NameMap<V> {
  readonly #byKey = new Map<string, { caseKey: string; value: V }>();
  /** caseKey → key of the entry. */
  readonly #byCase = new Map<string, string>();

  get size(): number {
    return this.#byKey.size;
  }

  get(name: string): V | undefined {
    const key = this.#find(nickKeys(name));
    return key === undefined ? undefined : this.#byKey.get(key)?.value;
  }

  has(name: string): boolean {
    return this.#find(nickKeys(name)) !== undefined;
  }

  /** Keeps `value` under `name`, in place of what was kept under a name the same as it. */
  set(name: string, value: V): this {
    const keys = nickKeys(name);
    this.#remove(this.#find(keys));
    this.#byKey.set(keys.key, { caseKey: keys.caseKey, value });
    this.#byCase.set(keys.caseKey, keys.key);
    return this;
  }

  /** Forgets what was kept under a name the same as `name`; false if nothing was. */
  delete(name: string): boolean {
    const key = this.#find(nickKeys(name));
    this.#remove(key);
    return key !== undefined;
  }

  clear(): void {
    this.#byKey.clear();
    this.#byCase.clear();
  }

  *values(): IterableIterator<V> {
    for (const e of this.#byKey.values()) yield e.value;
  }

  #find(keys: NickKeys): string | undefined {
    return this.#byKey.has(keys.key) ? keys.key : this.#byCase.get(keys.caseKey);
  }

  #remove(key: string | undefined): void {
    if (key === undefined) return;
    const e = this.#byKey.get(key);
    if (e === undefined) return;
    this.#byKey.delete(key);
    if (this.#byCase.get(e.caseKey) === key) this.#byCase.delete(e.caseKey);
  }
}

function parseKeyTable(lines: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of lines.join('\u0002').split('\u0002')) {
    const split = entry.indexOf('\u0001');
    map.set(entry.slice(0, split), entry.slice(split + 1));
  }
  return map;
}
