import { expect } from 'chai';
import fc from 'fast-check';
import { InputLine } from '../../lib/tui/input-line.js';
import { displayWidth, graphemeBoundaries } from '../../lib/tui/text-width.js';

function line(text: string, cursor = text.length): InputLine {
  const l = new InputLine();
  l.set(text, cursor);
  return l;
}

describe('InputLine', () => {
  describe('#insert', () => {
    it('inserts at the cursor and moves the cursor after the insertion', () => {
      const l = line('helo', 3);
      l.insert('l');
      expect(l.text).to.equal('hello');
      expect(l.cursor).to.equal(4);
    });

    it('drops control characters but keeps line breaks and tabs (a pasted ESC never reaches the draft)', () => {
      const l = line('');
      l.insert('a\x1b[31mb\tc\u009bd\r\ne\rf\ng');
      expect(l.text).to.equal('a[31mb\tcd\ne\nf\ng');
    });

    it('keeps the cursor on a character boundary when a combining mark joins the previous letter', () => {
      const l = line('e');
      l.insert('\u0301');
      expect(l.text).to.equal('e\u0301');
      expect(l.cursor).to.equal(2);
      l.backspace();
      expect(l.text).to.equal('');
    });
  });

  describe('#left / #right / #home / #end', () => {
    it('moves over whole user-perceived characters', () => {
      const text = 'a👩🏽‍💻🇫🇷e\u0301你';
      const l = line(text);
      const stops: number[] = [l.cursor];
      for (let i = 0; i < 6; i++) {
        l.left();
        stops.push(l.cursor);
      }
      expect(stops.reverse()).to.deep.equal([0, 0, 1, 8, 12, 14, 15]);
      l.right();
      expect(l.cursor).to.equal(1);
      l.end();
      expect(l.cursor).to.equal(text.length);
      l.home();
      expect(l.cursor).to.equal(0);
    });
  });

  describe('#backspace / #deleteForward', () => {
    it('removes a whole emoji ZWJ sequence, flag, skin-toned emoji or accented letter', () => {
      for (const ch of ['👨‍👩‍👧', '🇫🇷', '👍🏽', 'e\u0301', '你', 'Ж', '❤️', '1️⃣']) {
        const l = line(`x${ch}`);
        l.backspace();
        expect(l.text, ch).to.equal('x');
        const d = line(`${ch}y`, 0);
        d.deleteForward();
        expect(d.text, ch).to.equal('y');
      }
    });

    it('does nothing at the start (backspace) or the end (delete)', () => {
      const l = line('ab', 0);
      l.backspace();
      expect(l.text).to.equal('ab');
      l.end();
      l.deleteForward();
      expect(l.text).to.equal('ab');
    });
  });

  describe('#killWordBack (Ctrl-W)', () => {
    it('deletes the word before the cursor and the blanks after it', () => {
      const l = line('say hello  world  ');
      l.killWordBack();
      expect(l.text).to.equal('say hello  ');
      l.killWordBack();
      expect(l.text).to.equal('say ');
    });

    it('deletes only before the cursor', () => {
      const l = line('one two three', 7);
      l.killWordBack();
      expect(l.text).to.equal('one  three');
      expect(l.cursor).to.equal(4);
    });

    it('treats emoji and CJK as parts of words', () => {
      const l = line('hi 你好👍🏽');
      l.killWordBack();
      expect(l.text).to.equal('hi ');
    });
  });

  describe('#killToStart (Ctrl-U) / #killToEnd (Ctrl-K)', () => {
    it('deletes before or after the cursor', () => {
      const l = line('hello world', 6);
      l.killToStart();
      expect(l.text).to.equal('world');
      expect(l.cursor).to.equal(0);
      const k = line('hello world', 5);
      k.killToEnd();
      expect(k.text).to.equal('hello');
    });
  });

  describe('#wordLeft / #wordRight', () => {
    it('jumps to word starts and ends', () => {
      const l = line('one two three');
      l.wordLeft();
      expect(l.cursor).to.equal(8);
      l.wordLeft();
      expect(l.cursor).to.equal(4);
      l.wordRight();
      expect(l.cursor).to.equal(7);
    });
  });

  describe('history', () => {
    it('recalls earlier inputs with up and comes back to the draft with down', () => {
      const l = new InputLine();
      l.insert('first');
      l.submit();
      l.insert('second');
      l.submit();
      l.insert('draft');
      expect(l.historyUp()).to.equal(true);
      expect(l.text).to.equal('second');
      l.historyUp();
      expect(l.text).to.equal('first');
      expect(l.historyUp()).to.equal(false);
      expect(l.text).to.equal('first');
      l.historyDown();
      expect(l.text).to.equal('second');
      l.historyDown();
      expect(l.text).to.equal('draft');
      expect(l.historyDown()).to.equal(false);
    });

    it('skips blank lines and immediate repeats, and caps its length', () => {
      const l = new InputLine(3);
      for (const t of ['a', 'a', '  ', 'b', 'c', 'd']) {
        l.set(t);
        l.submit();
      }
      expect(l.historyEntries).to.deep.equal(['b', 'c', 'd']);
    });

    it('puts the cursor at the end of a recalled entry', () => {
      const l = new InputLine();
      l.set('recalled');
      l.submit();
      l.historyUp();
      expect(l.cursor).to.equal('recalled'.length);
    });
  });

  describe('#view', () => {
    it('shows everything when it fits, cursor at its column', () => {
      const l = line('ab你c', 3);
      const v = l.view(10);
      expect(v.glyphs.map((g) => g.text).join('')).to.equal('ab你c');
      expect(v.cursorCol).to.equal(4);
      expect(v.clippedLeft).to.equal(false);
    });

    it('scrolls so the cursor stays visible in a long line', () => {
      const text = 'x'.repeat(50);
      const l = line(text);
      const v = l.view(20);
      expect(v.cursorCol).to.equal(19);
      expect(v.clippedLeft).to.equal(true);
      l.home();
      const h = l.view(20);
      expect(h.cursorCol).to.equal(0);
      expect(h.clippedRight).to.equal(true);
    });

    it('never cuts a wide character in half', () => {
      const l = line('你'.repeat(30));
      for (let i = 0; i < 30; i++) {
        const v = l.view(9);
        const width = v.glyphs.reduce((s, g) => s + g.width, 0);
        expect(width).to.be.at.most(9);
        expect(v.cursorCol).to.be.at.most(8);
        l.left();
      }
    });
  });

  describe('properties', () => {
    const chars = fc.constantFrom('a', 'Ж', '你', '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', 'e\u0301', ' ', '❤️');
    const op = fc.constantFrom(
      'left', 'right', 'home', 'end', 'backspace', 'deleteForward', 'killWordBack', 'killToStart',
      'killToEnd', 'wordLeft', 'wordRight',
    );
    const step = fc.oneof(chars.map((c) => ({ insert: c })), op.map((o) => ({ op: o })));

    it('keeps the cursor on a grapheme boundary and the view within its width', () => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (steps, width) => {
          const l = new InputLine();
          for (const s of steps) {
            if ('insert' in s) l.insert(s.insert);
            else (l as unknown as Record<string, () => void>)[s.op]!();
            expect(graphemeBoundaries(l.text)).to.include(l.cursor);
            const v = l.view(width);
            const w = v.glyphs.reduce((sum, g) => sum + g.width, 0);
            expect(w).to.be.at.most(Math.max(width, 2));
            expect(v.cursorCol).to.be.lessThan(Math.max(width, 1));
          }
        }),
        { seed: 20261124, numRuns: 200 },
      );
    });

    it('typing a text then backspacing once per character empties the line', () => {
      fc.assert(
        fc.property(fc.array(chars, { maxLength: 20 }), (cs) => {
          const l = new InputLine();
          for (const c of cs) l.insert(c);
          expect(displayWidth(l.text)).to.be.at.least(0);
          let guard = 100;
          while (l.text !== '' && guard-- > 0) l.backspace();
          expect(l.text).to.equal('');
        }),
        { seed: 20261124, numRuns: 100 },
      );
    });
  });
});
