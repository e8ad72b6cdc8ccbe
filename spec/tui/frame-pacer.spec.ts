/** lib/tui/frame-pacer.ts: frame requests coalesced, key presses drawn at once, the interval between frames. */
import { expect } from 'chai';
import { FLOOD_FRAME_MS, FRAME_MS, FramePacer, frameInterval } from '../../lib/tui/frame-pacer.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FramePacer', () => {
  let pacer: FramePacer | undefined;
  let frames = 0;
  afterEach(() => pacer?.stop());

  /** A pacer counting its frames in `frames`, each asking for `interval` ms until the next. */
  function counting(interval: number): FramePacer {
    frames = 0;
    pacer = new FramePacer(() => {
      frames++;
      return interval;
    });
    return pacer;
  }

  it('draws one frame for many requests in one turn', async () => {
    const pacer = counting(0);
    for (let i = 0; i < 5; i++) pacer.request();
    await turn();
    await turn();
    expect(frames).to.equal(1);
  });

  it('holds a request back for the interval the last frame returned, but draws a key press (urgent) at once', async () => {
    const pacer = counting(60_000);
    pacer.request(true);
    await turn();
    expect(frames).to.equal(1);
    pacer.request();
    await turn();
    await turn();
    expect(frames, 'within the interval: waits').to.equal(1);
    pacer.request(true);
    await turn();
    expect(frames).to.equal(2);
  });

  it('draws nothing once stopped, not even a frame already queued', async () => {
    const pacer = counting(0);
    pacer.request();
    pacer.stop();
    pacer.request(true);
    await turn();
    await turn();
    expect(frames).to.equal(0);
  });
});

describe('frameInterval', () => {
  it('draws 30 frames a second while the log can be read, 20 once a screenful arrives per frame', () => {
    expect(frameInterval(0, 25)).to.equal(FRAME_MS);
    expect(frameInterval(24, 25)).to.equal(FRAME_MS);
    expect(frameInterval(25, 25)).to.equal(FLOOD_FRAME_MS);
    expect(frameInterval(3, 0)).to.equal(FLOOD_FRAME_MS);
    expect([FRAME_MS, FLOOD_FRAME_MS]).to.deep.equal([33, 50]);
  });
});
