import { expect } from 'chai';
import { HELP_LINES, parseInput, unknownCommandHint } from '../../lib/tui/commands.js';

describe('commands', () => {
  describe('#parseInput', () => {
    it('sends ordinary lines as they are', () => {
      expect(parseInput('hello  world ')).to.deep.equal({ kind: 'say', text: 'hello  world ' });
    });

    it('ignores blank lines', () => {
      expect(parseInput('')).to.deep.equal({ kind: 'none' });
      expect(parseInput('   ')).to.deep.equal({ kind: 'none' });
    });

    it('knows /q, /quit, /help and /clear, case-insensitively', () => {
      expect(parseInput('/q')).to.deep.equal({ kind: 'quit' });
      expect(parseInput('/QUIT')).to.deep.equal({ kind: 'quit' });
      expect(parseInput('/help')).to.deep.equal({ kind: 'help' });
      expect(parseInput('/clear')).to.deep.equal({ kind: 'clear' });
    });

    it('refuses unknown commands instead of sending them', () => {
      expect(parseInput('/shrug hi')).to.deep.equal({ kind: 'unknown', command: '/shrug' });
      expect(parseInput('/')).to.deep.equal({ kind: 'unknown', command: '/' });
      expect(parseInput('/constructor')).to.deep.equal({ kind: 'unknown', command: '/constructor' });
    });

    it('sends a line starting with // with one slash removed', () => {
      expect(parseInput('//shrug')).to.deep.equal({ kind: 'say', text: '/shrug' });
      expect(parseInput('///')).to.deep.equal({ kind: 'say', text: '//' });
    });
  });

  it('documents // in the help and points to it from the unknown-command hint', () => {
    expect(HELP_LINES.join('\n')).to.contain('//text');
    expect(unknownCommandHint('/x')).to.contain('//').and.to.contain('/help').and.to.contain('not sent');
  });
});
