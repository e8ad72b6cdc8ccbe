/** A token bucket on an explicit clock: `rate` tokens per second, at most `burst` saved. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes `n` tokens if there are that many (a bucket of bytes: `n` is a datagram's size). */
  takeMany(n: number, now: number): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** When `n` tokens will be there (now if they are); never, if `n` is more than the bucket holds. */
  nextManyAt(n: number, now: number): number {
    this.refill(now);
    if (n > this.burst) return Infinity;
    return this.tokens >= n ? now : now + Math.ceil(((n - this.tokens) * 1000) / this.rate);
  }

  /** When the next whole token will be there (now if one is). */
  nextTokenAt(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? now : now + Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }
}
