import { expect } from 'chai';
import { displayWidth, glyphOf, graphemes, truncate } from '../../lib/tui/text-width.js';

describe('text-width', () => {
  it('measures Latin, Cyrillic, CJK, emoji and combining marks by grapheme', () => {
    expect(displayWidth('hello')).to.equal(5);
    expect(displayWidth('Привет')).to.equal(6);
    expect(displayWidth('你好')).to.equal(4);
    expect(displayWidth('😀')).to.equal(2);
    expect(displayWidth('👨‍👩‍👧')).to.equal(2);
    expect(displayWidth('👍🏽')).to.equal(2);
    expect(displayWidth('🇫🇷')).to.equal(2);
    expect(displayWidth('e\u0301')).to.equal(1);
  });

  it('splits into user-perceived characters', () => {
    expect(graphemes('a👨‍👩‍👧e\u0301')).to.deep.equal(['a', '👨‍👩‍👧', 'e\u0301']);
  });

  it('marks clusters whose width terminals disagree on as complex, with their worst-case width', () => {
    expect(glyphOf('👨‍👩‍👧')).to.include({ width: 2, spill: 6, complex: true });
    expect(glyphOf('👍🏽')).to.include({ width: 2, spill: 4, complex: true });
    expect(glyphOf('❤️')).to.include({ width: 2, complex: true });
    expect(glyphOf('😀')).to.include({ width: 2, complex: false });
    expect(glyphOf('你')).to.include({ width: 2, complex: false });
    expect(glyphOf('e\u0301')).to.include({ width: 1, complex: false });
  });

  it('replaces control characters and lone surrogates', () => {
    expect(glyphOf('\x1b').text).to.equal('\ufffd');
    expect(glyphOf('\ud83d').text).to.equal('\ufffd');
  });

  it('truncates to a width with an ellipsis, never splitting a wide character', () => {
    expect(truncate('hello world', 6)).to.equal('hello…');
    expect(truncate('你好你好', 4)).to.equal('你…');
    expect(truncate('short', 10)).to.equal('short');
  });
});
