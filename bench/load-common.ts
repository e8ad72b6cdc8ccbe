/**
 * Pieces shared by the UDP and TCP load generators: message text with the send time inside, the
 * pacer, per-step accounting, and the load generator's own CPU and event-loop delay.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Histogram } from './histogram.js';
import type { StepResult } from './loadgen-protocol.js';

/** Microseconds on the load generator's monotonic clock (all peers live in this process). */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
  return { created, windowMs, behind: created < total || windowMs > seconds * 1000 * 1.1 };
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

/** Per-step delivery counters, keyed by step number (late deliveries of an old step are kept apart). */
export class StepBook {
  readonly latency = new Histogram();
  delivered = 0;
  duplicates = 0;
  orderViolations = 0;
  late = 0;
  step = 0;

  begin(step: number): void {
    this.step = step;
    this.latency.reset();
    this.delivered = 0;
    this.duplicates = 0;
    this.orderViolations = 0;
    this.late = 0;
  }

  /** A delivery of message (s, i) of step k, sent at t µs; `last` is the receiver's previous i from s. */
  deliver(k: number, t: number, now: number): void {
    if (k !== this.step) {
      this.late++;
      return;
    }
    this.delivered++;
    this.latency.record(now - t);
  }
}

/** Waits until `done()` or `maxMs`, polling every 10 ms; returns the time waited. */
export async function waitUntil(done: () => boolean, maxMs: number): Promise<number> {
  const start = performance.now();
  while (!done() && performance.now() - start < maxMs) await sleep(10);
  return performance.now() - start;
}
