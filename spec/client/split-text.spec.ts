import { expect } from 'chai';
import fc from 'fast-check';
import { splitText } from '../../lib/client/split-text.js';
import { MAX_TEXT_BYTES } from '../../lib/protocol/constants.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** String indices where a grapheme cluster starts, plus the end of the string. */
function clusterBoundaries(text: string): Set<number> {
  const set = new Set([text.length]);
  for (const { index } of segmenter.segment(text)) set.add(index);
  return set;
}

/** Checks the invariants every split keeps and returns the parts. */
function split(text: string, maxBytes: number): string[] {
  const parts = splitText(text, maxBytes);
  expect(parts.join('')).to.equal(text);
  for (const part of parts) {
    expect(part).to.not.equal('');
    expect(bytes(part)).to.be.at.most(maxBytes);
  }
  return parts;
}

/** Indices in the text where one part ends and the next begins. */
function cuts(parts: string[]): number[] {
  const at: number[] = [];
  let index = 0;
  for (const part of parts.slice(0, -1)) at.push((index += part.length));
  return at;
}

describe('splitText', function () {
  describe('text that fits', function () {
    it('returns no parts for empty text', function () {
      expect(splitText('', 10)).to.deep.equal([]);
    });

    it('returns the text itself when it fits', function () {
      expect(splitText('hello', 5)).to.deep.equal(['hello']);
      expect(splitText('привет', 12)).to.deep.equal(['привет']);
    });

    it('returns a full-size message in one part', function () {
      const text = 'x'.repeat(MAX_TEXT_BYTES);
      expect(splitText(text, MAX_TEXT_BYTES)).to.deep.equal([text]);
    });

    it('returns whitespace-only text in one part', function () {
      expect(splitText('   ', 10)).to.deep.equal(['   ']);
    });
  });

  describe('ASCII', function () {
    it('cuts a word-less run at the limit', function () {
      expect(split('abcdefghij', 4)).to.deep.equal(['abcd', 'efgh', 'ij']);
    });

    it('cuts after the last space so words stay whole', function () {
      expect(split('the quick brown fox jumps', 12)).to.deep.equal(['the quick ', 'brown fox ', 'jumps']);
    });

    it('keeps a run of spaces at the end of the earlier part', function () {
      expect(split('hello   world', 9)).to.deep.equal(['hello   ', 'world']);
    });

    it('cuts inside a word when the last space is in the first half of the part', function () {
      expect(split('a bcdefghijklmnop', 8)).to.deep.equal(['a bcdefg', 'hijklmno', 'p']);
    });

    it('cuts at a space exactly in the middle of the part', function () {
      expect(split('abc defgh', 8)).to.deep.equal(['abc ', 'defgh']);
    });

    it('treats tabs and newlines as whitespace', function () {
      expect(split('line one\nline two', 12)).to.deep.equal(['line one\n', 'line two']);
      expect(split('col1\tcol2\tcol3', 11)).to.deep.equal(['col1\tcol2\t', 'col3']);
    });

    it('cuts a block of lines after its last line break in the part\'s second half, not at a later space', function () {
      // 'first line\nsecond line' at 20 bytes: the last space ("second ") would leave "line" to
      // start the next part mid-line; the line break lies in the second half, so the cut is there.
      expect(split('first line\nsecond line', 20)).to.deep.equal(['first line\n', 'second line']);
      expect(split('one\r\ntwo three four', 14)).to.deep.equal(['one\r\ntwo ', 'three four']); // break in the first half: the space wins
      expect(split('ab cd\r\nef gh', 10)).to.deep.equal(['ab cd\r\n', 'ef gh']);
    });

    it('keeps CR LF together', function () {
      expect(split('aaa\r\nbbb', 4)).to.deep.equal(['aaa', '\r\n', 'bbb']);
    });

    it('splits a long chat line into messages of at most MAX_TEXT_BYTES', function () {
      const text = 'lorem ipsum dolor sit amet '.repeat(200);
      const parts = split(text, MAX_TEXT_BYTES);
      expect(parts).to.have.length(6);
      for (const part of parts.slice(0, -1)) expect(part.endsWith(' ')).to.equal(true);
    });
  });

  describe('multi-byte text', function () {
    it('never cuts a 2-byte Cyrillic letter', function () {
      expect(split('абвгдеёжз', 5)).to.deep.equal(['аб', 'вг', 'де', 'ёж', 'з']);
    });

    it('cuts Cyrillic words after a space', function () {
      expect(split('привет мир', 14)).to.deep.equal(['привет ', 'мир']);
    });

    it('never cuts a 3-byte CJK character', function () {
      expect(split('你好世界和平', 7)).to.deep.equal(['你好', '世界', '和平']);
    });

    it('never cuts a letter from its combining accent', function () {
      expect(split('e\u0301e\u0301e\u0301', 6)).to.deep.equal(['e\u0301e\u0301', 'e\u0301']);
    });

    it('never cuts an emoji ZWJ family', function () {
      const family = '👨‍👩‍👧‍👦'; // 25 bytes, one cluster
      expect(split(`${family}${family}`, 30)).to.deep.equal([family, family]);
      expect(split(`ab${family}`, 26)).to.deep.equal(['ab', family]);
    });

    it('never cuts a flag', function () {
      expect(split('🇺🇦🇫🇷🇯🇵', 9)).to.deep.equal(['🇺🇦', '🇫🇷', '🇯🇵']);
    });

    it('never cuts an emoji from its skin tone', function () {
      expect(split('👍🏽👍🏽', 10)).to.deep.equal(['👍🏽', '👍🏽']);
    });

    it('cuts only at cluster boundaries in mixed text', function () {
      const text = 'Hi 👋🏾 Привет 你好 🏳️‍🌈 e\u0301 🇺🇦! '.repeat(20);
      for (const maxBytes of [16, 17, 31, 64, 100]) {
        const boundaries = clusterBoundaries(text);
        for (const at of cuts(split(text, maxBytes))) expect(boundaries.has(at), `cut at ${at}`).to.equal(true);
      }
    });
  });

  describe('long text', function () {
    // splitText segments long text in windows of a few hundred code units; these texts cross
    // window ends at every alignment.
    for (let shift = 0; shift < 4; shift += 1) {
      const pad = 'x'.repeat(shift);
      it(`keeps every emoji with its skin tone across windows (shift ${shift})`, function () {
        expect(split(`${pad}${'👋🏾'.repeat(300)}`, 8).slice(pad === '' ? 0 : 1)).to.deep.equal(Array(300).fill('👋🏾'));
      });

      it(`keeps every flag whole across windows (shift ${shift})`, function () {
        expect(split(`${pad}${'🇺🇦🇫🇷'.repeat(150)}`, 8).slice(pad === '' ? 0 : 1)).to.deep.equal(Array(150).fill(['🇺🇦', '🇫🇷']).flat());
      });

      it(`keeps every ZWJ family whole across windows (shift ${shift})`, function () {
        const family = '👨‍👩‍👧‍👦';
        expect(split(`${pad}${family.repeat(100)}`, 25).slice(pad === '' ? 0 : 1)).to.deep.equal(Array(100).fill(family));
      });
    }

    it('cuts only where segmenting the whole text finds a boundary', function () {
      const text = 'Hi 👋🏾 Привет 你好 🏳️‍🌈 e\u0301\u0302 🇺🇦! क्षि '.repeat(100);
      const boundaries = clusterBoundaries(text);
      const largest = Math.max(...[...segmenter.segment(text)].map((s) => bytes(s.segment)));
      for (let maxBytes = largest; maxBytes < largest + 40; maxBytes += 1) {
        for (const at of cuts(split(text, maxBytes))) expect(boundaries.has(at), `cut at ${at} for ${maxBytes}`).to.equal(true);
      }
    });

    it('splits a 1 MB paste in linear time', function () {
      const text = 'Привет мир 👋🏾 hello world '.repeat(40_000);
      const started = performance.now();
      const parts = split(text, MAX_TEXT_BYTES);
      expect(parts.length).to.be.within(1_600, 1_700);
      expect(performance.now() - started).to.be.below(10_000);
    });
  });

  describe('pathological clusters', function () {
    it('cuts a cluster longer than the segmenting window', function () {
      const zalgo = 'a' + '\u0301'.repeat(1_000); // one cluster of 2001 bytes and 1001 code units
      const parts = split(`hi ${zalgo} there`, 500);
      expect(parts[0]).to.equal('hi ');
      expect(parts.at(-1)).to.satisfy((last: string) => last.endsWith(' there'));
    });

    it('cuts one cluster of hundreds of combining marks between code points', function () {
      const zalgo = 'a' + '\u0300'.repeat(500); // one cluster of 1001 bytes
      const parts = split(zalgo, 100);
      expect(parts).to.have.length(11);
      expect(parts[0]).to.equal('a' + '\u0300'.repeat(49));
    });

    it('keeps the text around an oversized cluster in its own parts', function () {
      const zalgo = 'z' + '\u0301'.repeat(20); // 41 bytes
      const parts = split(`hello ${zalgo} world`, 16);
      expect(parts[0]).to.equal('hello ');
      expect(parts.at(-1)).to.satisfy((last: string) => last.endsWith('world'));
    });

    it('never separates the halves of a surrogate pair', function () {
      const cluster = '😀' + '\u{e0100}'.repeat(30); // emoji with 30 supplementary variation selectors
      for (const part of split(cluster, 10)) expect(part.isWellFormed()).to.equal(true);
    });

    it('counts a lone surrogate as the 3 bytes an encoder writes', function () {
      expect(split('\ud800\ud800\ud800', 6)).to.deep.equal(['\ud800\ud800', '\ud800']);
    });
  });

  describe('arguments', function () {
    it('throws a RangeError for a limit too small to hold any code point', function () {
      expect(() => splitText('abc', 3)).to.throw(RangeError);
      expect(() => splitText('abc', 0)).to.throw(RangeError);
    });

    it('throws a RangeError for a limit that is not an integer', function () {
      expect(() => splitText('abc', 4.5)).to.throw(RangeError);
      expect(() => splitText('abc', Number.NaN)).to.throw(RangeError);
    });

    it('splits 4-byte code points at the smallest limit', function () {
      expect(split('😀😀', 4)).to.deep.equal(['😀', '😀']);
    });
  });

  describe('on arbitrary unicode text', function () {
    const anyText = fc.string({
      unit: fc.oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        fc.constantFrom(' ', ' ', '\n', '\u3000', '\u0301', '\u200d', '\ufe0f', '🏽', '🇺', '👨‍👩‍👧‍👦'),
        fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      ),
      maxLength: 600,
    });

    it(`keeps every invariant (seed ${SEED})`, function () {
      fc.assert(
        fc.property(anyText, fc.integer({ min: 4, max: 80 }), (text, maxBytes) => {
          const parts = splitText(text, maxBytes);
          if (parts.join('') !== text) return false;
          if (parts.some((part) => part === '' || bytes(part) > maxBytes)) return false;
          if (text === '') return parts.length === 0;
          if (bytes(text) <= maxBytes) return parts.length === 1;
          // Every cut is at a cluster boundary, unless it is inside a cluster too big for one part.
          const boundaries = clusterBoundaries(text);
          return cuts(parts).every((at) => boundaries.has(at) || insideOversizedCluster(text, at, maxBytes));
        }),
        { seed: SEED, numRuns: 3_000 },
      );
    });

    it(`cuts inside a word only when the part has no whitespace in its second half (seed ${SEED})`, function () {
      fc.assert(
        fc.property(anyText, fc.integer({ min: 4, max: 80 }), (text, maxBytes) => {
          const clusters = [...segmenter.segment(text)].map((s) => s.segment);
          fc.pre(clusters.every((cluster) => bytes(cluster) <= maxBytes));
          return splitText(text, maxBytes)
            .slice(0, -1)
            .every((part) => {
              const spaceEnd = lastWhitespaceEnd(part);
              return spaceEnd === bytes(part) || spaceEnd * 2 < bytes(part);
            });
        }),
        { seed: SEED, numRuns: 3_000 },
      );
    });
  });
});

/** Byte offset just after the last cluster of `part` that starts with whitespace, or 0. */
function lastWhitespaceEnd(part: string): number {
  let offset = 0;
  let end = 0;
  for (const { segment } of segmenter.segment(part)) {
    offset += bytes(segment);
    if (/^\p{White_Space}/u.test(segment)) end = offset;
  }
  return end;
}

function insideOversizedCluster(text: string, at: number, maxBytes: number): boolean {
  for (const { segment, index } of segmenter.segment(text)) {
    if (index < at && at < index + segment.length) {
      const pairHalf = /[\ud800-\udbff]/.test(text[at - 1] ?? '') && /[\udc00-\udfff]/.test(text[at] ?? '');
      return bytes(segment) > maxBytes && !pairHalf;
    }
  }
  return false;
}
