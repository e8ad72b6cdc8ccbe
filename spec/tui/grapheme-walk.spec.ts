import { expect } from 'chai';
import fc from 'fast-check';
import {
  clustersAfter, clustersBefore, isSafeBreak, nextBoundary, prevBoundary, segmentAll, snapForward,
} from '../../lib/tui/grapheme-walk.js';

const whole = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Boundaries as segmenting the whole string at once finds them (the reference). */
function reference(text: string): number[] {
  return [...[...whole.segment(text)].map((s) => s.index), text.length];
}

// Pieces that test every rule a window cut could break: combining marks, ZWJ sequences, flags
// (regional indicator pairs), Hangul jamo, Indic conjuncts and spacing marks, Prepend, CR LF.
const piece = fc.constantFrom(
  'a', ' ', 'Ж', '你', 'の', 'ก', 'ำ', 'e\u0301', '\u0301', '\u200d', '👩🏽‍💻', '👍🏽', '❤️', '🇫🇷', '🇺',
  '\u1100', '\u1161', '\u11a8', '한', 'क्', 'ष', 'कि', '\u0600', '1', '\r', '\n', '\r\n', '©', '\t', 'α',
  '—', '“', '…', '‼', '\ufe0f',
);
/** Characters that are each a cluster of their own whatever surrounds them (the fast path). */
const plainPiece = fc.constantFrom('a', ' ', 'Ж', '你', 'の', 'ก', 'α', '—', '“', '…', 'é', 'Ā', '1', '!');

describe('grapheme-walk', () => {
  it('finds the same clusters as segmenting the whole text, across window cuts', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 0, maxLength: 700 }), (pieces) => {
        const text = pieces.join('');
        const bounds = reference(text);
        expect([0, ...segmentAll(text).map((_, i, all) => all.slice(0, i + 1).join('').length)]).to.deep.equal(bounds.length === 1 ? [0] : bounds);
        const backwards = [...clustersBefore(text, text.length)].map(([s]) => s).reverse();
        expect([...backwards, text.length]).to.deep.equal(bounds.length === 1 ? [0] : bounds);
        for (let q = 0; q <= text.length; q++) {
          if (isSafeBreak(text, q)) expect(bounds, `safe break ${q}`).to.include(q);
        }
      }),
      { seed: 20261202, numRuns: 150 },
    );
  });

  it('splits text of plain characters only (Latin, Cyrillic, CJK, dashes, quotes) into one cluster per character, as the segmenter does', () => {
    fc.assert(
      fc.property(fc.array(plainPiece, { minLength: 0, maxLength: 300 }), (pieces) => {
        const text = pieces.join('');
        const bounds = reference(text);
        expect([0, ...segmentAll(text).map((_, i, all) => all.slice(0, i + 1).join('').length)]).to.deep.equal(bounds.length === 1 ? [0] : bounds);
      }),
      { seed: 20261203, numRuns: 100 },
    );
  });

  it('moves by one cluster and snaps into boundaries anywhere in a long text', () => {
    const text = `${'Привет, мир! 👩🏽‍💻 e\u0301 🇫🇷🇩🇪 '.repeat(12)}${'x'.repeat(300)}`;
    const bounds = reference(text);
    for (let i = 1; i < bounds.length; i++) {
      expect(nextBoundary(text, bounds[i - 1]!)).to.equal(bounds[i]);
      expect(prevBoundary(text, bounds[i]!)).to.equal(bounds[i - 1]);
    }
    for (let q = 0; q <= text.length; q++) {
      expect(snapForward(text, q)).to.equal(bounds.find((b) => b >= q));
    }
    expect([...clustersAfter(text, bounds[5]!)][0]).to.deep.equal([bounds[5], bounds[6]]);
  });

  it('segments a 100,000-character text in time linear in its length', () => {
    // Not a speed goal (see bench/editing.ts): a quadratic walk would take minutes here.
    const text = 'Lorem ipsum dolor sit amet, Привет 👋 你好. '.repeat(2500);
    expect(segmentAll(text).join('')).to.equal(text);
  });
});
