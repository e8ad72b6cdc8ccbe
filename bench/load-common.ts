/**
 * Pieces shared by the UDP and TCP load generators: message text with the send time inside, the
 * pacer, per-step accounting, and the load generator's own CPU and event-loop delay.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Histogram, type HistogramData, type LatencySummary } from './histogram.js';
import type { StepResult } from './loadgen-protocol.js';

// performance.now() counts from this process's start; the monotonic clock (hrtime) is the same in
// every process on the machine, so send times written by one load generator process (or the
// witness harness) are comparable with receive times taken in another.
const ORIGIN_US = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;

/** Microseconds on the machine's monotonic clock (comparable across processes). */
export function nowUs(): number {
  return Math.round(ORIGIN_US + performance.now() * 1000);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The value after `--name` on the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/**
 * Chat text of one bench message: `t=<send time µs> s=<sender> i=<n-th message of that sender>
 * k=<step>`, padded with dots to `bytes` so every datagram has the same size.
 */
export function messageText(t: number, s: number, i: number, k: number, bytes: number): string {
  const core = `t=${t} s=${s} i=${i} k=${k} `;
  return core.length >= bytes ? core : core + '.'.repeat(bytes - core.length);
}

export interface ParsedText {
  t: number;
  s: number;
  i: number;
  k: number;
}

const TEXT = /^t=(\d+) s=(\d+) i=(\d+) k=(\d+)/;

/** Parses a bench message text; undefined for anything else (e.g. a foreign chat line). */
export function parseText(text: string): ParsedText | undefined {
  const m = TEXT.exec(text);
  if (m === null) return undefined;
  return { t: Number(m[1]), s: Number(m[2]), i: Number(m[3]), k: Number(m[4]) };
}

/**
 * Calls `send(n)` for n = 0, 1, 2 … so that `rate` calls per second happen for `seconds`, in ticks
 * of `tickMs`. Returns how many it made and the wall time; stops early (and says so) if the event
 * loop falls so far behind that the step would run past twice its length.
 */
export async function pace(rate: number, seconds: number, send: (n: number) => void, tickMs = 4): Promise<{ created: number; windowMs: number; behind: boolean }> {
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let created = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    const due = Math.min(total, Math.floor((rate * elapsed) / 1000));
    while (created < due) send(created++);
    if (created >= total || elapsed > seconds * 2000) break;
    await sleep(tickMs);
  }
  const windowMs = performance.now() - start;
  return { created, windowMs, behind: created < total || windowMs > seconds * 1000 + Math.max(100, seconds * 100) };
}

/** Load generator CPU and event-loop delay over an interval. */
export class SelfMeter {
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private cpu = process.cpuUsage();
  private t0 = performance.now();

  constructor() {
    this.loop.enable();
  }

  reset(): void {
    this.loop.reset();
    this.cpu = process.cpuUsage();
    this.t0 = performance.now();
  }

  read(): Pick<StepResult, 'loadgenCpuMs' | 'loadgenCpuShare' | 'loopDelayP99Ms' | 'loopDelayMaxMs'> {
    const d = process.cpuUsage(this.cpu);
    const cpuMs = (d.user + d.system) / 1000;
    const wall = performance.now() - this.t0;
    return {
      loadgenCpuMs: cpuMs,
      loadgenCpuShare: wall > 0 ? cpuMs / wall : 0,
      loopDelayP99Ms: this.loop.percentile(99) / 1e6,
      loopDelayMaxMs: this.loop.max / 1e6,
    };
  }
}

/** Latency histograms of one step: all deliveries, and those of messages sent in the first / last quarter. */
export interface StepHistograms {
  all: HistogramData;
  early: HistogramData;
  late: HistogramData;
}

/**
 * Per-step delivery counters, keyed by step number (late deliveries of an old step are kept apart),
 * and the per-sender order check every receiver makes.
 */
export class StepBook {
  readonly latency = new Histogram();
  /** Latency of messages created in the first and the last quarter of the window: a queue building up shows as growth. */
  readonly early = new Histogram();
  readonly lateQuarter = new Histogram();
  delivered = 0;
  /** A message from a sender delivered again, or after a newer one from the same sender. */
  duplicates = 0;
  /** Messages a receiver never got before a newer one from the same sender (sum of gap sizes). */
  skipped = 0;
  late = 0;
  step = 0;
  lastDeliveryUs = 0;
  private startUs = 0;
  private windowUs = 1;

  begin(step: number, windowSeconds: number): void {
    this.step = step;
    this.latency.reset();
    this.early.reset();
    this.lateQuarter.reset();
    this.delivered = 0;
    this.duplicates = 0;
    this.skipped = 0;
    this.late = 0;
    this.startUs = nowUs();
    this.lastDeliveryUs = this.startUs;
    this.windowUs = Math.max(1, windowSeconds * 1e6);
  }

  /**
   * Receiver-side check of message (s, i) of step k sent at t µs; `lastI` is that receiver's
   * per-sender state, `self` its own sender number: its own copy is not a delivery (for every
   * system alike; a chat shows your own line without a round trip through the server).
   */
  receive(lastI: Int32Array, self: number, s: number, i: number, k: number, t: number): void {
    if (s === self) return;
    const last = lastI[s] ?? 0;
    if (i <= last) {
      this.duplicates++;
      return;
    }
    if (i > last + 1) this.skipped += i - last - 1;
    lastI[s] = i;
    if (k !== this.step) {
      this.late++;
      return;
    }
    const now = nowUs();
    this.delivered++;
    this.lastDeliveryUs = now;
    this.latency.record(now - t);
    const q = (t - this.startUs) / this.windowUs;
    if (q < 0.25) this.early.record(now - t);
    else if (q >= 0.75) this.lateQuarter.record(now - t);
  }

  /** Numbers every step result carries (the histograms too, so several processes' results merge). */
  summary(): { latency: LatencySummary; earlyP50Ms: number; lateP50Ms: number; hist: StepHistograms } {
    return {
      latency: this.latency.summary(),
      earlyP50Ms: this.early.quantileUs(0.5) / 1000,
      lateP50Ms: this.lateQuarter.quantileUs(0.5) / 1000,
      hist: { all: this.latency.toJSON(), early: this.early.toJSON(), late: this.lateQuarter.toJSON() },
    };
  }
}

/** Waits until `done()` or `maxMs`, polling every 10 ms; returns the time waited. */
export async function waitUntil(done: () => boolean, maxMs: number): Promise<number> {
  const start = performance.now();
  while (!done() && performance.now() - start < maxMs) await sleep(10);
  return performance.now() - start;
}
