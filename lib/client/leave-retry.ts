/**
 * Leaving (docs/protocol.md §6.2.10): LEAVE at once and every 250 ms, at most 4 times, until the
 * server confirms with BYE(quit); 250 ms after the fourth, the session closes anyway.
 */
const RETRY_MS = 250;
const ATTEMPTS = 4;

export class LeaveRetry {
  private at = Infinity;
  private attempts = 0;

  start(now: number): void {
    this.at = now;
    this.attempts = 0;
  }

  stop(): void {
    this.at = Infinity;
  }

  /** 'send' a LEAVE now, 'give-up' (close unconfirmed), or undefined when nothing is due. */
  due(now: number): 'send' | 'give-up' | undefined {
    if (now < this.at) return undefined;
    if (this.attempts >= ATTEMPTS) return 'give-up';
    this.attempts++;
    this.at = now + RETRY_MS;
    return 'send';
  }

  get nextAt(): number {
    return this.at;
  }
}
