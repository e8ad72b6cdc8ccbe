/**
 * Nickname rules (DESIGN-NOTES "Identity and security"): which nicknames are valid, their display
 * form, and the key under which two nicknames count as the same person. Pure: no I/O.
 *
 * Unicode data comes from the JavaScript engine (V8/ICU), so which code points are "unassigned"
 * follows the server's Node version; the server is the one that decides.
 */
import { MAX_NICK_BYTES, MAX_NICK_CHARS } from './constants.js';
import { utf8Length } from './wire.js';

export type NickCheck = { ok: true; nick: string; key: string } | { ok: false; reason: string };

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
 * Validates a nickname as typed or received and returns its display form (NFC) and its uniqueness
 * key ({@link nickKey}), or a short human-readable reason (fits an ERROR detail).
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
  return { ok: true, nick, key: nickKey(nick) };
}

function fail(reason: string): NickCheck {
  return { ok: false, reason };
}

/*
 * Confusable look-alikes, from Unicode confusables.txt (UTS #39, "Unicode Security Mechanisms",
 * §4 Confusable Detection): the Cyrillic and Greek letters whose prototype there is a Latin letter,
 * plus Latin dotless ı and ȷ. Keys are compared case-insensitively, so the table is keyed by the
 * lower-case letter and maps it to the Latin letter its capital or small form looks like.
 * Accented letters need no entries: the key is computed on the canonical decomposition, so
 * "ё" = е + U+0308 becomes "ë" and "ό" = ο + U+0301 becomes "ó". Symbol variants are folded by
 * NFKC before the table applies (ϱ → ρ; the lunate sigma ϲ → ς, so it keys as "o", not as "c").
 */
const SMALL_LOOKALIKES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic
    а: 'a', в: 'b', г: 'r', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't',
    у: 'y', х: 'x', ь: 'b', ѕ: 's', і: 'i', ј: 'j', ѡ: 'w', ѵ: 'v', ү: 'y', һ: 'h', ҽ: 'e',
    ӏ: 'l', ӕ: 'æ', ԁ: 'd', ԍ: 'g', ԛ: 'q', ԝ: 'w', ꙇ: 'i', ꚙ: 'oo',
    // Greek (ς is the final form of σ; both fold to the same key)
    α: 'a', β: 'b', γ: 'y', ε: 'e', ζ: 'z', η: 'h', ι: 'i', κ: 'k', μ: 'm', ν: 'v', ο: 'o',
    ρ: 'p', σ: 'o', ς: 'o', τ: 't', υ: 'u', χ: 'x', ϝ: 'f', ϳ: 'j', ϻ: 'm',
    // Latin
    ı: 'i', ȷ: 'j',
  }),
);

/*
 * Greek capitals whose look-alike differs from their small letter's (Ν ≡ N but ν ≈ v; Υ ≡ Y but
 * υ ≈ u) are mapped before case folding, so "Νina" collides with "Nina" and "νictor" with "victor".
 * The price: "ΝΑ" and "να" get different keys (they also look different).
 */
const CAPITAL_LOOKALIKES: ReadonlyMap<string, string> = new Map([
  ['Ν', 'N'],
  ['Υ', 'Y'],
]);

/** Default-ignorable code points (ZWJ, variation selectors …) are invisible: dropped from the key. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The uniqueness key of a nickname: two nicknames with the same key may not be online at once.
 * NFKC (fullwidth "ｂｏｂ" → "bob", "ǅ" → "Dž"), lower case, NFKC again, then the UTS #39-style
 * skeleton step on the canonical decomposition: invisible code points dropped and the Cyrillic and
 * Greek look-alikes above replaced by Latin letters (Cyrillic "а" ≅ Latin "a", Greek "ο" ≅ "o").
 * The key is for comparison only, never for display. Never throws; idempotent.
 */
export function nickKey(nick: string): string {
  const folded = mapEach(nick.normalize('NFKD'), CAPITAL_LOOKALIKES).toLowerCase().normalize('NFKC');
  return mapEach(folded.normalize('NFD').replace(IGNORABLE, ''), SMALL_LOOKALIKES).normalize('NFC');
}

function mapEach(s: string, table: ReadonlyMap<string, string>): string {
  let out = '';
  for (const ch of s) out += table.get(ch) ?? ch;
  return out;
}
