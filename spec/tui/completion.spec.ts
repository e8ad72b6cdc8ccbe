import { expect } from 'chai';
import { candidatesFor, complete } from '../../lib/tui/completion.js';

const NICKS = ['alice', 'Alfred', 'bob', 'Жанна', 'me'];

describe('completion', () => {
  describe('#candidatesFor', () => {
    it('matches nicks that start with the prefix, case-insensitively, in roster order', () => {
      expect(candidatesFor('al', NICKS)).to.deep.equal(['alice', 'Alfred']);
      expect(candidatesFor('AL', NICKS)).to.deep.equal(['alice', 'Alfred']);
      expect(candidatesFor('жа', NICKS)).to.deep.equal(['Жанна']);
    });

    it('leaves out the own nick unless it is the only match', () => {
      expect(candidatesFor('m', [...NICKS, 'mallory'], 'me')).to.deep.equal(['mallory']);
      expect(candidatesFor('m', NICKS, 'me')).to.deep.equal(['me']);
    });
  });

  describe('#complete', () => {
    it('adds ": " after a nick completed at the start of the line', () => {
      const r = complete('bo', 2, NICKS);
      expect(r?.text).to.equal('bob: ');
      expect(r?.cursor).to.equal(5);
    });

    it('adds a space after a nick completed inside the line', () => {
      const r = complete('hi bo', 5, NICKS);
      expect(r?.text).to.equal('hi bob ');
    });

    it('completes the word at the cursor and keeps the text after it', () => {
      const r = complete('hi al, bye', 5, NICKS);
      expect(r?.text).to.equal('hi alice , bye');
      expect(r?.cursor).to.equal(9);
    });

    it('keeps an @ before the nick', () => {
      expect(complete('@al', 3, NICKS)?.text).to.equal('@alice ');
    });

    it('cycles through the candidates on repeated Tab, and back with Shift-Tab', () => {
      const first = complete('al', 2, NICKS)!;
      expect(first.text).to.equal('alice: ');
      const second = complete(first.text, first.cursor, NICKS, { previous: first.state })!;
      expect(second.text).to.equal('Alfred: ');
      const third = complete(second.text, second.cursor, NICKS, { previous: second.state })!;
      expect(third.text).to.equal('alice: ');
      const back = complete(third.text, third.cursor, NICKS, { previous: third.state, backwards: true })!;
      expect(back.text).to.equal('Alfred: ');
    });

    it('starts afresh when the draft changed since the last completion', () => {
      const first = complete('al', 2, NICKS)!;
      const edited = `${first.text}and b`;
      const r = complete(edited, edited.length, NICKS, { previous: first.state })!;
      expect(r.text).to.equal('alice: and bob ');
    });

    it('returns undefined when nothing matches', () => {
      expect(complete('zz', 2, NICKS)).to.equal(undefined);
    });
  });
});
