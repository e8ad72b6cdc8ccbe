import { expect } from 'chai';
import { formatTime, mentions, messageEntry, presenceText, STYLE } from '../../lib/tui/log-format.js';
import { nickColour } from '../../lib/tui/nick-colour.js';

const T = new Date(2026, 0, 2, 9, 5).getTime();

function plain(e: ReturnType<typeof messageEntry>): string {
  return e.spans.map((s) => s.text).join('');
}

describe('log-format', () => {
  it('formats the time as HH:MM', () => {
    expect(formatTime(T)).to.equal('09:05');
  });

  describe('#mentions', () => {
    it('finds the nick as a word, case-insensitively', () => {
      expect(mentions('hey Bob, look', 'bob')).to.equal(true);
      expect(mentions('@bob hi', 'bob')).to.equal(true);
      expect(mentions('bob: hi', 'bob')).to.equal(true);
      expect(mentions('bobby and kebob', 'bob')).to.equal(false);
      expect(mentions('привет Жанна!', 'жанна')).to.equal(true);
      expect(mentions('a.b+c here', 'a.b+c')).to.equal(true);
      expect(mentions('axb here', 'a.b')).to.equal(false);
    });
  });

  describe('#messageEntry', () => {
    const base = { time: T, nick: 'alice', text: 'hi', own: false, history: false, mention: false };

    it('shows time, <nick> in its colour, then the text', () => {
      const e = messageEntry(base);
      expect(plain(e)).to.equal('09:05 <alice> hi');
      expect(e.spans[1]!.style).to.include({ fg: nickColour('alice') });
    });

    it('escapes control characters and leaves markup-like text alone', () => {
      const e = messageEntry({ ...base, nick: 'x\x1by', text: '{bold}\x1b[2J\u202e' });
      expect(plain(e)).to.equal('09:05 <x\\x1by> {bold}\\x1b[2J\\u202e');
    });

    it('styles own messages, mentions and history differently', () => {
      const own = messageEntry({ ...base, own: true });
      expect(own.spans[1]!.style).to.include({ underline: true });
      const mention = messageEntry({ ...base, mention: true });
      expect(mention.spans[3]!.style).to.deep.equal(STYLE.mention);
      const history = messageEntry({ ...base, history: true });
      expect(history.spans[3]!.style).to.deep.equal(STYLE.history);
    });
  });

  it('words presence events by reason', () => {
    expect(presenceText('bob', 'join')).to.equal('bob joined');
    expect(presenceText('bob', 'leave', 'quit')).to.equal('bob left');
    expect(presenceText('bob', 'leave', 'timeout')).to.equal('bob timed out');
    expect(presenceText('bob', 'leave', 'shutdown')).to.contain('server');
    expect(presenceText('bob', 'leave', 'flooding')).to.contain('flooding');
  });
});
