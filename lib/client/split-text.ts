/**
 * Splits a long chat line into messages that each fit the protocol's text limit
 * (MAX_TEXT_BYTES, docs/protocol.md §5.4), without cutting a user-perceived character in two.
 */

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const STARTS_WITH_SPACE = /^\p{White_Space}/u;
/** A cluster that ends a line ("\r\n" is one cluster). */
const LINE_BREAK = /^[\n\r\v\f\u0085\u2028\u2029]/u;
/** UTF-16 code units segmented at a time (see {@link clustersOf}). */
const WINDOW = 256;

/**
 * Splits `text` into parts of at most `maxBytes` UTF-8 bytes whose concatenation is `text`.
 * Parts end at grapheme-cluster boundaries (Intl.Segmenter), so an emoji ZWJ sequence, a flag or a
 * letter with its accents is never cut. A part that must be cut ends after its last line break when
 * that lies in the part's second half (a pasted block of lines goes on at the start of a line), else
 * after its last whitespace when that does, so words stay whole; the whitespace stays at the end of
 * the earlier part. A single cluster longer than `maxBytes` (hundreds of combining marks) is cut
 * between code points as a last resort. No part is empty: `''` gives `[]`, text that fits `[text]`.
 * A lone surrogate counts 3 bytes, as UTF-8 encoders write U+FFFD for it.
 *
 * @throws RangeError if `maxBytes` is not an integer ≥ 4 (a code point can take 4 bytes).
 */
export function splitText(text: string, maxBytes: number): string[] {
  return [...splitTextParts(text, maxBytes)];
}

/**
 * The parts of {@link splitText}, one at a time: a caller with a very long text (a paste) can
 * take a few parts, let other work run, and take more, instead of splitting it all in one step.
 *
 * @throws RangeError if `maxBytes` is not an integer ≥ 4 (when the first part is taken).
 */
export function* splitTextParts(text: string, maxBytes: number): Generator<string> {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError(`splitText: maxBytes must be an integer ≥ 4, got ${maxBytes}`);
  if (text === '') return;
  if (text.length * 3 <= maxBytes || utf8Bytes(text) <= maxBytes) {
    yield text;
    return;
  }

  let start = 0; // index in text where the current part begins
  let bytes = 0; // UTF-8 bytes of text[start, end)
  let cut = -1; // index just after the part's last whitespace cluster, or -1
  let cutBytes = 0; // bytes of text[start, cut)
  let lineCut = -1; // index just after the part's last line break, or -1
  let lineCutBytes = 0; // bytes of text[start, lineCut)
  for (const { segment, index } of clustersOf(text)) {
    const size = utf8Bytes(segment);
    if (size > maxBytes) {
      // Pathological cluster: every piece but the last is full; the last one starts the next part.
      if (bytes > 0) yield text.slice(start, index);
      const pieces = splitCodePoints(segment, maxBytes);
      const last = pieces.pop() ?? '';
      yield* pieces;
      start = index + segment.length - last.length;
      bytes = utf8Bytes(last);
      cut = -1;
      lineCut = -1;
      continue;
    }
    if (bytes + size > maxBytes) {
      if (lineCut > start && lineCutBytes * 2 >= bytes) {
        yield text.slice(start, lineCut);
        bytes -= lineCutBytes;
        start = lineCut;
      } else if (cut > start && cutBytes * 2 >= bytes) {
        yield text.slice(start, cut);
        bytes -= cutBytes;
        start = cut;
      }
      // Still no room (the word carried over is long, or there was no good cut): cut here.
      if (bytes + size > maxBytes) {
        yield text.slice(start, index);
        bytes = 0;
        start = index;
      }
      cut = -1;
      lineCut = -1;
    }
    bytes += size;
    if (STARTS_WITH_SPACE.test(segment)) {
      cut = index + segment.length;
      cutBytes = bytes;
      if (LINE_BREAK.test(segment)) {
        lineCut = cut;
        lineCutBytes = bytes;
      }
    }
  }
  if (start < text.length) yield text.slice(start);
}

/**
 * The grapheme clusters of `text` with their indices, like `SEGMENTER.segment(text)`, but segmenting
 * one bounded window at a time: the V8 in Node 20 spends time proportional to the whole string on
 * every step of a segment iterator (crbug.com/326176949, fixed upstream in 2024), so splitting a
 * pasted 100 kB text took tens of seconds. A window's last cluster may be cut short by the window, so it is segmented again as
 * the start of the next window; a window never ends between the halves of a surrogate pair, so the
 * code point after every boundary kept is the real one (grapheme rules look ahead one code point).
 */
function* clustersOf(text: string): Generator<{ segment: string; index: number }> {
  let pos = 0;
  let width = WINDOW;
  while (pos < text.length) {
    let end = Math.min(text.length, pos + width);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += 1;
    const window = Array.from(SEGMENTER.segment(text.slice(pos, end)), (s) => ({ segment: s.segment, index: pos + s.index }));
    if (end < text.length) {
      const last = window.pop();
      if (last === undefined || window.length === 0) {
        width *= 2; // one cluster longer than the window: widen it
        continue;
      }
      width = WINDOW;
      pos = last.index;
    } else pos = end;
    yield* window;
  }
}

/** Greedy split of one string between code points into pieces of ≤ maxBytes (≥ 4) each. */
function splitCodePoints(s: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const cp of s) {
    const size = utf8Bytes(cp);
    if (bytes + size > maxBytes) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += cp;
    bytes += size;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/** UTF-8 length as an encoder writes it (a lone surrogate becomes the 3-byte U+FFFD). */
function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (isHighSurrogate(c) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
