/**
 * Quitting with messages the server has not acknowledged yet: the first /q or Ctrl-C asks (and
 * waits for delivery, with a countdown, quitting by itself once everything is delivered); a second
 * one quits and discards them. Nothing typed is lost without the user saying so.
 */

export interface QuitGuardHost {
  /** Messages typed but not yet acknowledged by the server. */
  unsent(): number;
  /** Everything was delivered while waiting: quit now. */
  proceed(): void;
  /** The countdown moved on (redraw the prompt). */
  changed(): void;
  /** The wait ran out with `unsent` messages still undelivered. */
  expired(unsent: number): void;
}

export class QuitGuard {
  private deadline: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Asked once already: the next request quits whatever is unsent. */
  private armed = false;

  constructor(private readonly host: QuitGuardHost, private readonly waitMs = 15_000) {}

  /** Waiting for delivery after a quit request. */
  get waiting(): boolean {
    return this.deadline !== undefined;
  }

  /** A quit request: true when quitting may go ahead now (nothing unsent, or asked before). */
  request(now: number): boolean {
    if (this.host.unsent() === 0 || this.armed) {
      this.stop();
      return true;
    }
    this.armed = true;
    this.deadline = now + this.waitMs;
    this.timer = setInterval(() => this.tick(Date.now()), 1000);
    return false;
  }

  /** Call after every delivery: quits once nothing is left. */
  check(): void {
    if (this.host.unsent() > 0) return;
    this.armed = false;
    if (!this.waiting) return;
    this.stop();
    this.host.proceed();
  }

  /** What to tell the user when the wait starts. */
  notice(): string {
    const n = this.host.unsent();
    return `${n} message${n === 1 ? '' : 's'} not delivered yet — /q or Ctrl-C again to discard ${n === 1 ? 'it' : 'them'}, or wait: delivering…`;
  }

  /** The status line to show while waiting, with the countdown (longest wording first: status.ts fitting), or undefined. */
  prompt(now: number): readonly string[] | undefined {
    if (this.deadline === undefined) return undefined;
    const n = this.host.unsent();
    const secs = Math.max(0, Math.ceil((this.deadline - now) / 1000));
    return [`delivering ${n} message${n === 1 ? '' : 's'}… ${secs} s (/q or Ctrl-C again: discard)`, `${n} unsent… ${secs} s; Ctrl-C: discard`];
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.deadline = undefined;
  }

  private tick(now: number): void {
    if (this.deadline !== undefined && now >= this.deadline) {
      this.stop();
      this.host.expired(this.host.unsent());
      return;
    }
    this.host.changed();
  }
}
