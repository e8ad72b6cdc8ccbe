import { expect } from 'chai';
import { NICK_PALETTE, NickColours, formatClock, formatTime, nickColour, xtermRgb } from '../../lib/client/presentation.js';
import { inNickColour } from '../../lib/plain/format.js';

describe('presentation', () => {
  describe('nick colours', () => {
    it('are far apart: no two within one family (the old palette had three cyans)', () => {
      for (const a of NICK_PALETTE) {
        for (const b of NICK_PALETTE) {
          if (a >= b) continue;
          const [r1, g1, b1] = xtermRgb(a);
          const [r2, g2, b2] = xtermRgb(b);
          expect(Math.hypot(r1 - r2, g1 - g2, b1 - b2), `colours ${a} and ${b}`).to.be.at.least(85);
        }
      }
    });

    it('are defined colours (the 6×6×6 cube, not the terminal\'s own 16), neither grey nor red', () => {
      for (const c of NICK_PALETTE) {
        expect(c, `colour ${c}`).to.be.within(16, 231);
        const [r, g, b] = xtermRgb(c);
        expect(Math.max(r, g, b) - Math.min(r, g, b), `colour ${c} is grey`).to.be.at.least(120);
        // Hue in degrees: red (errors) is 0; keep 20° away from it.
        const max = Math.max(r, g, b);
        const span = max - Math.min(r, g, b);
        const sector = max === r ? ((g - b) / span + 6) % 6 : max === g ? (b - r) / span + 2 : (r - g) / span + 4;
        const hue = sector * 60;
        expect(hue > 20 && hue < 340, `colour ${c} is red (hue ${hue.toFixed(0)}°)`).to.equal(true);
      }
    });

    it('differ for the first twelve people seen (by hash alone ann and bob, cat and alice shared one), and never change', () => {
      const colours = new NickColours();
      const nicks = ['ann', 'bob', 'cat', 'alice', 'dave', 'eve', 'me', 'Жанна', '李雷', 'zed', 'yan', 'xia'];
      const first = nicks.map((n) => colours.of(n));
      expect(new Set(first).size).to.equal(NICK_PALETTE.length);
      expect(nicks.map((n) => colours.of(n))).to.deep.equal(first);
      // A thirteenth shares (its hash's colour); nobody else's changes.
      expect(NICK_PALETTE).to.include(colours.of('wren'));
      expect(nicks.map((n) => colours.of(n))).to.deep.equal(first);
    });

    it('are the same in line mode as in the full-screen client', () => {
      for (const nick of ['alice', 'bob', 'Жанна', '李雷']) {
        expect(inNickColour(true, nick, nick)).to.equal(`\x1b[38;5;${nickColour(nick)}m${nick}\x1b[39m`);
      }
      expect(inNickColour(false, 'bob', 'bob')).to.equal('bob');
    });
  });

  it('formats the clock for both front ends', () => {
    const t = new Date(2026, 0, 2, 9, 5, 7).getTime();
    expect(formatTime(t)).to.equal('09:05');
    expect(formatClock(t)).to.equal('09:05:07');
  });

  it('formats each time as itself, though it remembers its last answer (same second, next second, back in time)', () => {
    const t = new Date(2026, 0, 2, 9, 5, 7).getTime();
    for (const [ms, clock, time] of [
      [t, '09:05:07', '09:05'],
      [t + 999, '09:05:07', '09:05'],
      [t + 1000, '09:05:08', '09:05'],
      [t + 53_000, '09:06:00', '09:06'],
      [t - 3_600_000, '08:05:07', '08:05'],
      [t + 1, '09:05:07', '09:05'],
    ] as const) {
      expect(formatClock(ms)).to.equal(clock);
      expect(formatTime(ms)).to.equal(time);
    }
  });
});
