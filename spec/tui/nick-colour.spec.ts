import { expect } from 'chai';
import { NICK_PALETTE, nickColour, nickHash } from '../../lib/tui/nick-colour.js';

describe('nick-colour', () => {
  it('gives the same colour to the same nick every time', () => {
    expect(nickColour('alice')).to.equal(nickColour('alice'));
    expect(nickColour('Жанна')).to.equal(nickColour('Жанна'));
  });

  it('hashes with FNV-1a over UTF-8 (stable across runs and machines)', () => {
    expect(nickHash('')).to.equal(0x811c9dc5);
    expect(nickHash('a')).to.equal(0xe40c292c);
    expect(nickHash('foobar')).to.equal(0xbf9cf968);
  });

  it('picks from the palette and spreads nicks over it', () => {
    const used = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const c = nickColour(`user${i}`);
      expect(NICK_PALETTE).to.include(c);
      used.add(c);
    }
    expect(used.size).to.be.at.least(NICK_PALETTE.length - 2);
  });
});
