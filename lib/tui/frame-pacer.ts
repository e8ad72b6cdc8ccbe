/**
 * When the full-screen client draws: requests for a frame are coalesced. A key press is drawn
 * right after the input callback it came in; anything else (incoming messages) at most FRAME_MS
 * after the previous frame (FLOOD_FRAME_MS while the log scrolls by faster than anyone reads), so
 * a busy room costs a bounded number of frames per second however many messages arrive.
 */

/** Shortest time between two frames drawn for anything but a key press (≤ 30 frames a second). */
export const FRAME_MS = 33;
/**
 * The same while the log scrolls faster than anyone reads (a screenful or more arrived since the
 * last frame): 20 frames a second. A frame costs the same however many lines arrived, and writing
 * it to the terminal is most of it.
 */
export const FLOOD_FRAME_MS = 50;

/** The shortest time to the next frame, given how many log lines arrived for the last one and how many rows the log shows. */
export function frameInterval(arrived: number, logRows: number): number {
  return arrived >= Math.max(1, logRows) ? FLOOD_FRAME_MS : FRAME_MS;
}

export class FramePacer {
  /** A frame queued: right after the current callback (a key), or at the end of this turn. */
  private queued: 'now' | 'turn' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastFrame = 0;
  /** Shortest time from the last frame to the next (frameInterval). */
  private interval = FRAME_MS;
  private stopped = false;

  /** `draw`: draws a frame and returns the shortest time to the next one (frameInterval). */
  constructor(private readonly draw: () => number) {}

  /**
   * Queues a frame: right after the current callback when `urgent` (the user pressed a key), else
   * no sooner than the interval after the last frame. Many calls before it is drawn give one frame.
   */
  request(urgent = false): void {
    // A frame already queued will do, unless it waits behind this turn and this one is urgent.
    if (this.stopped || this.queued === 'now' || (this.queued === 'turn' && !urgent)) return;
    const wait = urgent ? 0 : this.lastFrame + this.interval - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.request(true);
      }, wait);
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    // A key press is drawn as soon as the input it came in has been handled (all its keys), before
    // whatever else this turn of the event loop has read: in a busy room, up to 32 datagrams a
    // turn, several milliseconds of work the keystroke used to wait behind.
    this.queued = urgent ? 'now' : 'turn';
    if (urgent) process.nextTick(() => this.frame());
    else setImmediate(() => this.frame());
  }

  /** No more frames (the screen is gone). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** Draws the queued frame (a second callback for the same frame finds nothing queued). */
  private frame(): void {
    if (this.queued === undefined) return;
    this.queued = undefined;
    if (this.stopped) return;
    this.lastFrame = Date.now();
    this.interval = this.draw();
  }
}
