/**
 * Trying to join again, on a timer with exponential backoff, after a join failed for a reason
 * that may pass (server unreachable, full, too many sessions): the UI recovers on its own.
 */

export class JoinRetry {
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private retrying = false;
  private at: number | undefined;

  constructor(
    private readonly rejoin: () => void,
    private readonly minMs = 1000,
    private readonly maxMs = 15_000,
  ) {
    this.delay = minMs;
  }

  /** From the first schedule() until stop(): the UI shows "reconnecting" meanwhile. */
  get active(): boolean {
    return this.retrying;
  }

  /** When the scheduled rejoin() runs (undefined when none is scheduled). */
  get nextAt(): number | undefined {
    return this.at;
  }

  /** Schedules rejoin() after the current delay (which then doubles, up to the maximum). */
  schedule(): number {
    const delay = this.delay;
    this.retrying = true;
    this.delay = Math.min(this.maxMs, this.delay * 2);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.at = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = undefined;
      this.rejoin();
    }, delay);
    return delay;
  }

  /** Cancels a scheduled retry and starts the backoff afresh. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = undefined;
    this.delay = this.minMs;
    this.retrying = false;
  }
}
