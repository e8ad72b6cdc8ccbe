/**
 * Latency histogram for the load generators: log-linear buckets over microseconds (64 buckets
 * per power of two, so a percentile is within ~1.6 % of the true value), constant memory and
 * O(1) per sample — there can be millions of deliveries per step.
 */
const SUB = 64;
const MAX_POWER = 40; // 2^40 µs ≈ 12.7 days: anything larger is clamped

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** A histogram as plain data: totals and the non-empty buckets as [index, count]. */
export interface HistogramData {
  n: number;
  sum: number;
  maxUs: number;
  buckets: [number, number][];
}

export class Histogram {
  private readonly buckets = new Float64Array(SUB * (MAX_POWER + 1));
  private n = 0;
  private sum = 0;
  private maxUs = 0;

  /** Records one latency in microseconds (negative values count as 0). */
  record(us: number): void {
    const v = us > 0 ? us : 0;
    this.n++;
    this.sum += v;
    if (v > this.maxUs) this.maxUs = v;
    this.buckets[Histogram.index(v)]! += 1;
  }

  get count(): number {
    return this.n;
  }

  private static index(v: number): number {
    if (v < SUB) return Math.floor(v);
    if (v < 2 ** 31) {
      // Integer fast path (up to ~35 min): the power of two from the leading zeros.
      const x = v | 0;
      const power = 32 - Math.clz32(x >> 6);
      return power * SUB + ((x - (SUB << (power - 1))) >> (power - 1));
    }
    const power = Math.min(MAX_POWER, Math.floor(Math.log2(v / SUB)) + 1);
    const base = SUB * 2 ** (power - 1);
    const sub = Math.min(SUB - 1, Math.floor((v - base) / (base / SUB)));
    return power * SUB + sub;
  }

  /** Upper edge of a bucket, in µs. */
  private static upper(i: number): number {
    const power = Math.floor(i / SUB);
    const sub = i % SUB;
    if (power === 0) return sub + 1;
    const base = SUB * 2 ** (power - 1);
    return base + (sub + 1) * (base / SUB);
  }

  /** The value at quantile q (0..1), in µs: upper edge of its bucket, never above the maximum. */
  quantileUs(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min(Histogram.upper(i), this.maxUs);
    }
    return this.maxUs;
  }

  summary(): LatencySummary {
    return {
      count: this.n,
      p50Ms: this.quantileUs(0.5) / 1000,
      p99Ms: this.quantileUs(0.99) / 1000,
      maxMs: this.maxUs / 1000,
      meanMs: this.n > 0 ? this.sum / this.n / 1000 : 0,
    };
  }

  /** The non-empty buckets and totals, small enough to send between processes as JSON. */
  toJSON(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < this.buckets.length; i++) if (this.buckets[i]! > 0) buckets.push([i, this.buckets[i]!]);
    return { n: this.n, sum: this.sum, maxUs: this.maxUs, buckets };
  }

  /** Adds another histogram's samples (e.g. from another load generator process). */
  add(d: HistogramData): this {
    this.n += d.n;
    this.sum += d.sum;
    if (d.maxUs > this.maxUs) this.maxUs = d.maxUs;
    for (const [i, c] of d.buckets) this.buckets[i]! += c;
    return this;
  }

  reset(): void {
    this.buckets.fill(0);
    this.n = 0;
    this.sum = 0;
    this.maxUs = 0;
  }
}

/** Median of a list of numbers (NaN for an empty list). */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The p-th percentile (0–100, nearest rank) of a list of numbers (NaN for an empty list). */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** Smallest and largest finite value ([NaN, NaN] for none). */
export function range(xs: readonly number[]): [number, number] {
  const s = xs.filter((x) => Number.isFinite(x));
  return s.length === 0 ? [Number.NaN, Number.NaN] : [Math.min(...s), Math.max(...s)];
}
