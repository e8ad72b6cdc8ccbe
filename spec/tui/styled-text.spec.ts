import { expect } from 'chai';
import { clipSpans, rowWidth, shareGlyphs, wrapSpans, type Row } from '../../lib/tui/styled-text.js';

function text(row: Row): string {
  return row.map((g) => g.glyph.text).join('');
}

describe('styled-text', () => {
  describe('#wrapSpans', () => {
    it('breaks after spaces and indents continuation rows', () => {
      const rows = wrapSpans([{ text: 'aaa bbb ccc ddd' }], 8, 2);
      expect(rows.map(text)).to.deep.equal(['aaa bbb ', '  ccc ', '  ddd']);
    });

    it('breaks inside a word longer than a row', () => {
      const rows = wrapSpans([{ text: 'abcdefghij' }], 4);
      expect(rows.map(text)).to.deep.equal(['abcd', 'efgh', 'ij']);
    });

    it('never splits a wide character and never exceeds the width', () => {
      const rows = wrapSpans([{ text: '你好你好你' }], 5);
      expect(rows.map(text)).to.deep.equal(['你好', '你好', '你']);
      for (const r of rows) expect(rowWidth(r)).to.be.at.most(5);
    });

    it('keeps styles per span and shows markup-like text literally', () => {
      const rows = wrapSpans([{ text: '{bold}', style: { bold: true } }, { text: 'x' }], 20);
      expect(text(rows[0]!)).to.equal('{bold}x');
      expect(rows[0]![0]!.style).to.deep.equal({ bold: true });
      expect(rows[0]![6]!.style).to.equal(undefined);
    });

    it('gives one empty row for empty input', () => {
      expect(wrapSpans([], 10)).to.deep.equal([[]]);
    });
  });

  it('#clipSpans cuts at the width', () => {
    expect(text(clipSpans([{ text: 'ab你c' }], 3))).to.equal('ab');
  });

  it('lines in a shared style (and unstyled text) share their glyph objects; other styles get their own', () => {
    const shared = shareGlyphs({ fg: 33 });
    const [a] = wrapSpans([{ text: 'hello', style: shared }, { text: ' world' }], 80);
    const [b] = wrapSpans([{ text: 'hello', style: shared }, { text: ' world' }], 80);
    expect(a!.every((g, i) => g === b![i]), 'the same objects').to.equal(true);
    const own = { fg: 33 };
    const [c] = wrapSpans([{ text: 'hello', style: own }], 80);
    const [d] = wrapSpans([{ text: 'hello', style: own }], 80);
    expect(c![0]).to.not.equal(d![0]);
    expect(c![0]).to.deep.equal(d![0]);
    expect(text(a!)).to.equal('hello world');
  });
});
