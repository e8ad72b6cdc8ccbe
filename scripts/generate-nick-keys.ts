/**
 * Generates lib/protocol/nick-key-table.ts, the per-code-point map behind nickKey (docs/protocol.md
 * §5.3), from Unicode's confusables.txt (UTS #39 §4) in data/unicode/ and this Node's Unicode
 * case mappings and normalisation. Run it after replacing the data file with a newer version:
 *
 *     npm run generate:nick-keys
 *
 * Nothing downloads: the data file is committed (see data/unicode/README.md for its source and
 * licence). The script checks the file (version line, entry count) and that the table it writes
 * is closed (every value maps to itself), which is what makes nickKey idempotent.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SOURCE = join(ROOT, 'data/unicode/confusables.txt');
const TARGET = join(ROOT, 'lib/protocol/nick-key-table.ts');

/**
 * Latin small capitals (and kra, ĸ) fold to their capital letters before lower-casing: they look
 * like capitals and case is ignored, so "ᴀlice" is "Alice". confusables.txt leaves most of them as
 * prototypes of their own (Cyrillic в → ʙ, т → ᴛ, н → ʜ), so without this fold "вов" would not meet
 * "ВОВ" (→ BOB) or "bob".
 */
const SMALL_CAPITALS: ReadonlyArray<readonly [number, string]> = [
  [0x1d00, 'A'], [0x0299, 'B'], [0x1d04, 'C'], [0x1d05, 'D'], [0x1d07, 'E'], [0xa730, 'F'],
  [0x0262, 'G'], [0x029c, 'H'], [0x026a, 'I'], [0x1d0a, 'J'], [0x1d0b, 'K'], [0x029f, 'L'],
  [0x1d0d, 'M'], [0x0274, 'N'], [0x1d0f, 'O'], [0x1d18, 'P'], [0xa7af, 'Q'], [0x0280, 'R'],
  [0xa731, 'S'], [0x1d1b, 'T'], [0x1d1c, 'U'], [0x1d20, 'V'], [0x1d21, 'W'], [0x028f, 'Y'],
  [0x1d22, 'Z'], [0x0138, 'K'],
];

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const HAS_IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

interface Source {
  version: string;
  prototypes: Map<string, string>;
  sha256: string;
}

function readSource(): Source {
  const bytes = readFileSync(SOURCE);
  const text = bytes.toString('utf8');
  const version = /^# Version: (\d+\.\d+\.\d+)$/m.exec(text)?.[1];
  const total = /^# total: (\d+)$/m.exec(text)?.[1];
  if (version === undefined || total === undefined) throw new Error(`${SOURCE}: no "# Version:" or "# total:" line`);
  const prototypes = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9A-F]{4,6}) ;\t([0-9A-F]{4,6}(?: [0-9A-F]{4,6})*) ;\tMA\t/.exec(line);
    if (m === null) {
      if (/^[0-9A-F]/.test(line)) throw new Error(`${SOURCE}: unexpected line ${JSON.stringify(line)}`);
      continue;
    }
    prototypes.set(fromHex(m[1]!), m[2]!.split(' ').map(fromHex).join(''));
  }
  if (prototypes.size !== Number(total)) throw new Error(`${SOURCE}: ${prototypes.size} entries, the file says ${total}`);
  return { version, prototypes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function fromHex(hex: string): string {
  return String.fromCodePoint(Number.parseInt(hex, 16));
}

function mapEach(s: string, table: ReadonlyMap<string, string>): string {
  let out = '';
  for (const ch of s) out += table.get(ch) ?? ch;
  return out;
}

/**
 * One round of the key of a short string: the UTS #39 skeleton of the text as typed (so capital
 * I → l and Cyrillic В → B), then small capitals to capitals, case folding (upper then lower case,
 * so final ς meets σ and ß meets ss) and compatibility decomposition, then the skeleton again (lower-casing makes letters that are not prototypes, e.g.
 * Greek Γ → γ, whose prototype is y), and last "i" → "l": capital I looks like small l and case is
 * ignored, so i, I, l, 1 and | have to be one letter of the key for "aIice" and "ALICE" both to
 * meet "alice".
 */
function round(s: string, prototypes: ReadonlyMap<string, string>, smallCaps: ReadonlyMap<string, string>): string {
  let t = s.normalize('NFKD').replace(IGNORABLE, '');
  t = mapEach(t, prototypes).normalize('NFD');
  t = mapEach(t, smallCaps).toUpperCase().toLowerCase().normalize('NFKD').replace(IGNORABLE, '');
  t = mapEach(t, prototypes).normalize('NFD');
  return t.replaceAll('i', 'l');
}

function fixedPoint(s: string, prototypes: ReadonlyMap<string, string>, smallCaps: ReadonlyMap<string, string>): string {
  let t = s;
  for (let i = 0; i < 8; i += 1) {
    const next = round(t, prototypes, smallCaps);
    if (next === t) return t;
    t = next;
  }
  throw new Error(`no fixed point for ${JSON.stringify(s)}`);
}

/** The map over every code point that can occur after NFKD and is not ignorable or unassigned. */
function buildMap(source: Source): Map<string, string> {
  const smallCaps = new Map(SMALL_CAPITALS.map(([cp, capital]) => [String.fromCodePoint(cp), capital]));
  const map = new Map<string, string>();
  for (let cp = 0; cp <= 0x10ffff; cp += 1) {
    if (cp === 0xd800) cp = 0xe000;
    const ch = String.fromCodePoint(cp);
    if (/[\p{Cn}\p{Cs}\p{Default_Ignorable_Code_Point}]/u.test(ch) || ch.normalize('NFKD') !== ch) continue;
    const key = fixedPoint(ch, source.prototypes, smallCaps);
    if (key !== ch) map.set(ch, key);
  }
  for (const [ch, key] of map) {
    if (key.normalize('NFKD') !== key || mapEach(key, map) !== key || HAS_IGNORABLE.test(key)) {
      throw new Error(`not closed at U+${ch.codePointAt(0)!.toString(16)}: ${JSON.stringify(key)}`);
    }
  }
  return map;
}

/** The text as a string literal: printable ASCII as it is, everything else as \u{…} escapes. */
function literal(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0x20 && cp < 0x7f && ch !== "'" && ch !== '\\' ? ch : `\\u{${cp.toString(16)}}`;
  }
  return `'${out}'`;
}

function render(source: Source, map: Map<string, string>): string {
  const entries: string[] = [];
  for (const [ch, key] of map) {
    if (/[\u0001\u0002]/u.test(ch + key)) throw new Error('a separator occurs in the data');
    entries.push(`${ch}\u0001${key}`);
  }
  const lines: string[] = [];
  for (let i = 0; i < entries.length; i += 6) lines.push(`  ${literal(entries.slice(i, i + 6).join('\u0002'))},`);
  return `/*
 * GENERATED by scripts/generate-nick-keys.ts (npm run generate:nick-keys); do not edit.
 * Source: data/unicode/confusables.txt, Unicode Security Mechanisms (UTS #39) version ${source.version},
 * SHA-256 ${source.sha256};
 * © Unicode, Inc., used under the Unicode License v3 (data/unicode/README.md).
 * Case mappings and normalisation: Unicode ${process.versions.unicode} (Node ${process.version}, ICU ${process.versions.icu}).
 */

/** Unicode version of the confusables data the table was generated from. */
export const CONFUSABLES_VERSION = '${source.version}';

/**
 * ${map.size} entries: each code point that can occur after NFKD and whose key is not itself, U+0001,
 * its key; U+0002 between entries (the strings are joined with U+0002 too). See nickKey in nick.ts.
 */
export const NICK_KEY_TABLE: readonly string[] = [
${lines.join('\n')}
];
`;
}

const source = readSource();
const map = buildMap(source);
writeFileSync(TARGET, render(source, map));
process.stdout.write(`${TARGET}: ${map.size} entries from confusables.txt ${source.version}\n`);
