/**
 * Sessions created per source IP address (docs/protocol.md §6.1.3, §9): a token bucket per IP, so
 * join/leave churn from one machine cannot fill the room log with presence entries or take every
 * seat. The table is bounded: past its size the oldest bucket is forgotten (a full bucket again).
 */
import { TokenBucket } from './token-bucket.js';

const MAX_SOURCES = 4_096;

export class JoinLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  /** `burst` sessions at once per IP, then `perMinute`. */
  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {}

  /** Takes one session creation for `ip`; false when it must wait. */
  take(ip: string, now: number): boolean {
    let bucket = this.buckets.get(ip);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_SOURCES) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = new TokenBucket(this.perMinute / 60, this.burst, now);
      this.buckets.set(ip, bucket);
    }
    return bucket.take(now);
  }

  /** Seconds until `ip` may create a session again (rounded up). */
  waitSeconds(ip: string, now: number): number {
    const bucket = this.buckets.get(ip);
    return bucket === undefined ? 0 : Math.ceil((bucket.nextTokenAt(now) - now) / 1000);
  }
}
