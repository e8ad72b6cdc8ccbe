/**
 * Per-source limits on what costs the server seats, log entries or reply datagrams (docs/protocol.md
 * §6.1.3, §9; issue 10 item 8), beside the per-IP join limit (join-limiter.ts):
 *
 * - **network prefix** (an IPv4 /24, an IPv6 /64): sessions created per minute, so that someone
 *   with a block of addresses cannot churn presence or take seats faster than a small network would;
 * - **COOKIE replies** per source IP and per prefix, checked before the server-wide cap, so one
 *   source (or a victim's address, spoofed) cannot use up the cap for everyone or draw a stream of
 *   replies;
 * - **client id** churn: sessions created per minute by one client id; past it its JOINs are not
 *   answered (counted `join-churn`), so the client is slowed — it keeps retrying, as it does through
 *   loss — instead of refused.
 *
 * Every table is bounded (oldest forgotten first, i.e. a full bucket again); the keys are plain
 * strings, so a check costs a map lookup.
 */
import { TokenBucket } from './token-bucket.js';

const MAX_KEYS = 4_096;

/** Token buckets by key, bounded in number. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  /** Takes one token for `key`; false when it must wait. */
  take(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = new TokenBucket(this.perSecond, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Seconds until `key` has a token again (rounded up; 0 if it has one). */
  waitSeconds(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    return bucket === undefined ? 0 : Math.ceil((bucket.nextTokenAt(now) - now) / 1000);
  }
}

/**
 * The network an address belongs to for these limits: `a.b.c.0/24` for IPv4 (an IPv4-mapped IPv6
 * address included), the first four groups and `::/64` for IPv6. Anything else is its own key.
 */
export function sourcePrefix(ip: string): string {
  const v4 = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  if (v4.includes('.')) {
    const cut = v4.lastIndexOf('.');
    return `${v4.slice(0, cut)}.0/24`;
  }
  if (!ip.includes(':')) return ip;
  return `${expandV6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address as lowercase hex without leading zeros. */
function expandV6(ip: string): string[] {
  const bare = ip.split('%')[0] ?? ip;
  const [head = '', tail] = bare.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return groups.map((g) => (g.replace(/^0+/, '') || '0').toLowerCase());
}

export interface SourceLimitOptions {
  /** Sessions created per minute from one network prefix (and burst). */
  prefixJoinsPerMinute: number;
  prefixJoinBurst: number;
  /** COOKIE replies per second to one IP, and to one prefix (each also the burst). */
  ipCookiesPerSecond: number;
  prefixCookiesPerSecond: number;
  /** Sessions created per minute by one client id (and burst). */
  clientJoinsPerMinute: number;
  clientJoinBurst: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimitOptions = {
  prefixJoinsPerMinute: 128,
  prefixJoinBurst: 256,
  ipCookiesPerSecond: 20,
  prefixCookiesPerSecond: 200,
  clientJoinsPerMinute: 6,
  clientJoinBurst: 6,
};

export class SourceLimits {
  private readonly prefixJoins: KeyedBuckets;
  private readonly ipCookies: KeyedBuckets;
  private readonly prefixCookies: KeyedBuckets;
  private readonly clientJoins: KeyedBuckets;

  constructor(o: SourceLimitOptions = DEFAULT_SOURCE_LIMITS) {
    this.prefixJoins = new KeyedBuckets(o.prefixJoinsPerMinute / 60, o.prefixJoinBurst);
    this.ipCookies = new KeyedBuckets(o.ipCookiesPerSecond, o.ipCookiesPerSecond);
    this.prefixCookies = new KeyedBuckets(o.prefixCookiesPerSecond, o.prefixCookiesPerSecond);
    this.clientJoins = new KeyedBuckets(o.clientJoinsPerMinute / 60, o.clientJoinBurst);
  }

  /** One COOKIE reply to `ip`: within its IP's and its prefix's rate? */
  takeCookie(ip: string, now: number): boolean {
    return this.ipCookies.take(ip, now) && this.prefixCookies.take(sourcePrefix(ip), now);
  }

  /** One session created from `ip`'s prefix; undefined if allowed, else seconds to wait. */
  takePrefixJoin(ip: string, now: number): { prefix: string; waitSeconds: number } | undefined {
    const prefix = sourcePrefix(ip);
    if (this.prefixJoins.take(prefix, now)) return undefined;
    return { prefix, waitSeconds: this.prefixJoins.waitSeconds(prefix, now) };
  }

  /** One session created by this client id: false means drop the JOIN (the client retries later). */
  takeClientJoin(clientIdHex: string, now: number): boolean {
    return this.clientJoins.take(clientIdHex, now);
  }
}
