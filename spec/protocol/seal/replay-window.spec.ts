import { expect } from 'chai';
import fc from 'fast-check';
import { REPLAY_WINDOW_SPAN, ReplayWindow } from '../../../lib/protocol/seal/replay-window.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);

function take(window: ReplayWindow, counter: number): boolean {
  if (!window.check(counter)) return false;
  window.accept(counter);
  return true;
}

describe('ReplayWindow', function () {
  it('accepts each counter once, in order', function () {
    const window = new ReplayWindow();
    for (let c = 0; c < 5000; c += 1) expect(take(window, c), `counter ${c}`).to.equal(true);
    for (let c = 4000; c < 5000; c += 1) expect(take(window, c), `replayed ${c}`).to.equal(false);
  });

  it('accepts reordering within the window, each counter once', function () {
    const window = new ReplayWindow();
    expect(take(window, 3000)).to.equal(true);
    expect(take(window, 3000 - REPLAY_WINDOW_SPAN + 1)).to.equal(true);
    expect(take(window, 2999)).to.equal(true);
    expect(take(window, 2999)).to.equal(false);
    expect(take(window, 3000 - REPLAY_WINDOW_SPAN)).to.equal(false);
  });

  it('forgets nothing inside the window when the top jumps far ahead', function () {
    const window = new ReplayWindow();
    take(window, 10);
    take(window, 1_000_000);
    expect(take(window, 10)).to.equal(false); // now too old
    expect(take(window, 1_000_000 - 5)).to.equal(true);
    expect(take(window, 1_000_000)).to.equal(false);
  });

  it('check changes nothing; accept without a passing check changes nothing', function () {
    const window = new ReplayWindow();
    expect(window.check(7)).to.equal(true);
    expect(window.top).to.equal(-1);
    window.accept(7);
    window.accept(7);
    expect(window.top).to.equal(7);
    expect(window.check(7)).to.equal(false);
  });

  it('refuses counters that are negative, fractional or not safe integers', function () {
    const window = new ReplayWindow();
    for (const bad of [-1, 0.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity]) expect(window.check(bad), String(bad)).to.equal(false);
  });

  it(`agrees with a model that remembers everything (seed ${SEED})`, function () {
    const counters = fc.array(fc.oneof(fc.nat(3000), fc.nat(200_000), fc.constant(0)), { maxLength: 400 });
    fc.assert(
      fc.property(counters, (list) => {
        const window = new ReplayWindow();
        const seen = new Set<number>();
        let top = -1;
        for (const c of list) {
          // The model: accept unless seen, or 2016 or more below the highest accepted.
          const expected = !seen.has(c) && !(top - c >= REPLAY_WINDOW_SPAN);
          if (take(window, c) !== expected) return false;
          if (expected) {
            seen.add(c);
            top = Math.max(top, c);
          }
        }
        return true;
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
