/**
 * Grapheme clusters of long text, found by segmenting small windows instead of the whole text.
 *
 * Why: in Node 20, iterating `Intl.Segmenter` over one string costs time that grows with the
 * square of its length (16k characters: ~0.6 s), and `containing()` is no better. An editor that
 * segments its whole draft on every keystroke freezes on a paste.
 *
 * How: a window is cut only at a *safe break*, a position where UAX #29 always breaks whatever
 * came before: after a line feed, or before a plain base character (ASCII, Latin, Greek,
 * Cyrillic, Hebrew and Arabic letters, CJK, kana, Thai consonants …) that does not follow a
 * Prepend character. No rule joins such a character to what precedes it, so segmenting from one
 * safe break to the next gives exactly the clusters that segmenting the whole text gives. In text
 * with no safe break for WINDOW_LIMIT code units (a pathological run of combining marks), the
 * window is cut anyway there; only such a run can be split wrongly.
 */
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Aimed-at window length (UTF-16 code units). */
const WINDOW = 256;
/** Longest scan for a safe break before cutting anyway. */
const WINDOW_LIMIT = 1024;

/** A cluster as [start, end) UTF-16 offsets. */
export type Cluster = readonly [start: number, end: number];

function isPlainBase(cp: number): boolean {
  if (cp >= 0x20 && cp <= 0x7e) return true;
  if (cp < 0xa0) return false;
  if (cp <= 0x2ff) return cp !== 0xa9 && cp !== 0xae; // © and ® are Extended_Pictographic
  return (cp >= 0x370 && cp <= 0x3ff) // Greek
    || (cp >= 0x2010 && cp <= 0x2027) // dashes, quotes, daggers, bullets, … (none Extended_Pictographic)
    || (cp >= 0x400 && cp <= 0x482) || (cp >= 0x48a && cp <= 0x52f) // Cyrillic, without its combining marks
    || (cp >= 0x5d0 && cp <= 0x5ea) // Hebrew letters
    || (cp >= 0x621 && cp <= 0x64a) // Arabic letters
    || (cp >= 0xe01 && cp <= 0xe2e) // Thai consonants
    || (cp >= 0x3001 && cp <= 0x3029) // CJK punctuation (0x302a… are combining tone marks)
    || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30a1 && cp <= 0x30fa) // kana
    || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) // CJK ideographs
    || (cp >= 0xff01 && cp <= 0xff60); // full-width forms
}

/** Grapheme_Cluster_Break=Prepend (Unicode 15/16): these join the character after them. */
function isPrepend(cp: number): boolean {
  return (cp >= 0x600 && cp <= 0x605) || cp === 0x6dd || cp === 0x70f || cp === 0x890 || cp === 0x891
    || cp === 0x8e2 || cp === 0xd4e || cp === 0x110bd || cp === 0x110cd || cp === 0x111c2 || cp === 0x111c3
    || cp === 0x1193f || cp === 0x11941 || cp === 0x11a3a || (cp >= 0x11a84 && cp <= 0x11a89)
    || cp === 0x11d46 || cp === 0x11f02;
}

/** Whether every segmentation of `text` breaks at `q` (see the file comment). */
export function isSafeBreak(text: string, q: number): boolean {
  if (q <= 0 || q >= text.length) return true;
  const y = text.charCodeAt(q);
  if (y >= 0xdc00 && y <= 0xdfff) return false; // inside a surrogate pair
  const x = text.charCodeAt(q - 1);
  if (x === 0x0a) return true;
  if (x === 0x0d) return y !== 0x0a;
  if (!isPlainBase(y)) return false;
  const before = x >= 0xdc00 && x <= 0xdfff && q >= 2 ? (text.codePointAt(q - 2) ?? x) : x;
  return !isPrepend(before);
}

/** The nearest safe break at or after q (or q + WINDOW_LIMIT, capped at the end). */
function safeAtOrAfter(text: string, q: number): number {
  const limit = Math.min(text.length, q + WINDOW_LIMIT);
  for (let i = q; i < limit; i++) if (isSafeBreak(text, i)) return i;
  return limit;
}

/** The nearest safe break at or before q (or q - WINDOW_LIMIT, floored at 0). */
function safeAtOrBefore(text: string, q: number): number {
  const limit = Math.max(0, q - WINDOW_LIMIT);
  for (let i = q; i > limit; i--) if (isSafeBreak(text, i)) return i;
  return limit;
}

/** Printable ASCII: every character is a cluster of its own (no segmenter needed). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/u;

function segmentWindow(text: string, start: number, end: number): Cluster[] {
  const out: Cluster[] = [];
  const slice = text.slice(start, end);
  if (PRINTABLE_ASCII.test(slice)) {
    for (let i = start; i < end; i++) out.push([i, i + 1]);
    return out;
  }
  let prev = -1;
  for (const { index } of segmenter.segment(slice)) {
    if (prev >= 0) out.push([start + prev, start + index]);
    prev = index;
  }
  if (prev >= 0) out.push([start + prev, end]);
  return out;
}

/** Clusters from `pos` (a boundary) to the end, left to right, segmented lazily. */
export function* clustersAfter(text: string, pos: number): Generator<Cluster> {
  let start = pos;
  while (start < text.length) {
    const end = safeAtOrAfter(text, Math.min(text.length, start + WINDOW));
    yield* segmentWindow(text, start, end);
    start = end;
  }
}

/** Clusters before `pos` (a boundary) back to the start, right to left, segmented lazily. */
export function* clustersBefore(text: string, pos: number): Generator<Cluster> {
  let end = pos;
  while (end > 0) {
    const start = safeAtOrBefore(text, Math.max(0, end - WINDOW));
    const spans = segmentWindow(text, start, end);
    for (let i = spans.length - 1; i >= 0; i--) yield spans[i]!;
    end = start;
  }
}

/** The nearest cluster boundary at or after `offset` (text may have merged around it). */
export function snapForward(text: string, offset: number): number {
  if (offset <= 0) return 0;
  if (offset >= text.length) return text.length;
  if (isSafeBreak(text, offset)) return offset;
  const start = safeAtOrBefore(text, offset);
  for (const [, end] of clustersAfter(text, start)) if (end >= offset) return end;
  return text.length;
}

/** The boundary after the cluster that starts at `pos` (pos itself at the end). */
export function nextBoundary(text: string, pos: number): number {
  for (const [, end] of clustersAfter(text, pos)) return end;
  return pos;
}

/** The boundary before `pos` (0 at the start). */
export function prevBoundary(text: string, pos: number): number {
  for (const [start] of clustersBefore(text, pos)) return start;
  return 0;
}

/**
 * Whether every position of text is a safe break: each UTF-16 code unit is then a cluster of its
 * own (most chat text: ASCII, Latin, Cyrillic, CJK, dashes and quotes).
 */
function allPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isPlainBase(text.charCodeAt(i))) return false;
  return true;
}

/** Every cluster of text, in order (linear in the length of text). */
export function segmentAll(text: string): string[] {
  if (allPlain(text)) return text.split('');
  const out: string[] = [];
  for (const [start, end] of clustersAfter(text, 0)) out.push(text.slice(start, end));
  return out;
}
