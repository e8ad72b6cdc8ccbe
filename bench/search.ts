/**
 * One measured step (load generator result + the server's CPU from /proc + machine load) and the
 * rate search: multiply the rate until a step fails the criteria, then bisect (geometrically)
 * between the last pass and the first fail.
 */
import { loadavg } from 'node:os';
import type { LoadgenGroup } from './loadgen-group.js';
import type { StepResult } from './loadgen-protocol.js';
import { median } from './histogram.js';
import { busyMsBetween, cores, cpuTimeMs, machineTicks, udpCounters } from './proc-stats.js';

/** What "the server sustains the rate" means. */
export interface Criteria {
  /** Largest fraction of expected deliveries missing after the drain. */
  maxLoss: number;
  /** Largest p99 delivery latency (ms). */
  maxP99Ms: number;
  /**
   * A queue is building when the p50 latency of the messages sent in the last quarter of the
   * window exceeds that of the first quarter by more than max(growthSlackMs, growthSlackShare ×
   * window): an offered load 10 % above capacity builds a queue of 10 % of the window by its end,
   * while a lone scheduling hiccup on a shared machine stays under the slack.
   */
  growthSlackMs: number;
  growthSlackShare: number;
  /** The last acknowledgement (and delivery) must come within window / minThroughputShare. */
  minThroughputShare: number;
}

const SAMPLE_MS = 100;

export const CRITERIA: Criteria = { maxLoss: 0.001, maxP99Ms: 100, growthSlackMs: 50, growthSlackShare: 0.1, minThroughputShare: 0.9 };

export interface StepRecord extends StepResult {
  pass: boolean;
  /** Why it failed ('' when it passed). */
  reason: string;
  serverCpuMs: number;
  /** Server CPU during the window alone, share of one core (sampled every 100 ms). */
  serverWindowCpuShare: number;
  /** Server CPU µs per delivery made (all the CPU of the window and the drain). */
  cpuUsPerDelivery: number;
  /**
   * The same from the median of the window's 1 s slices (server CPU ms per second) over the
   * deliveries per second: steady cost, a one-off (a garbage collection of what an earlier step
   * left) moves one slice, not the figure. NaN for a window under a second.
   */
  cpuUsPerDeliverySteady: number;
  /** CPU used by everything else on the machine meanwhile, in cores (noise indicator). */
  otherCores: number;
  /** The same during the window alone. */
  otherWindowCores: number;
  /** UDP datagrams the kernel dropped for full receive buffers during the step (machine-wide). */
  rcvbufErrors: number;
  deliveriesPerSec: number;
  /** Datagrams the peers received per second (what the server sent): compare with iperf3's ceiling. */
  serverDatagramsPerSec: number;
  /** All load generator processes together during the window, in cores. */
  loadgenWindowCores: number;
  /** 1-minute load average of the machine when the step ended. */
  loadAverage: number;
}

/** Did the server cut peers off (hard rate limit, eviction) during the step? */
export function cutOff(r: StepResult): boolean {
  return Object.keys(r.errors).some((e) => /^closed|^lost|FLOODING/.test(e));
}

/**
 * Why a step fails the criteria ('' if it passes). `reliable`: the system promises delivery
 * (udp-chat), so a message skipped at a receiver is a failure whatever the loss figure says.
 */
export function verdict(r: StepResult, c: Criteria, reliable: boolean): string {
  const reasons: string[] = [];
  if (cutOff(r)) reasons.push(`peers cut off (${Object.keys(r.errors).join(', ')})`);
  if (r.loss >= c.maxLoss) reasons.push(`loss ${(100 * r.loss).toFixed(2)}%`);
  if (r.duplicates > 0) reasons.push(`${r.duplicates} duplicated or out of order`);
  if (reliable && r.skipped > 0) reasons.push(`${r.skipped} skipped`);
  if (reliable && r.errors['notice'] !== undefined) reasons.push(`${r.errors['notice']} notices shown`);
  if (r.accepted < r.offered) reasons.push(`${r.offered - r.accepted} not accepted`);
  if (r.latency.p99Ms > c.maxP99Ms) reasons.push(`p99 ${Math.round(r.latency.p99Ms)} ms`);
  if (r.lateP50Ms > r.earlyP50Ms + Math.max(c.growthSlackMs, c.growthSlackShare * r.windowMs)) {
    reasons.push(`latency grew from ${r.earlyP50Ms.toFixed(1)} to ${r.lateP50Ms.toFixed(1)} ms (queue building)`);
  }
  // Keeping up: what was offered in the window was accepted and delivered within a little more.
  const within = r.windowMs / c.minThroughputShare;
  if (r.lastAcceptMs > within) reasons.push(`accepted ${Math.round((100 * r.windowMs) / r.lastAcceptMs)}% of the offered rate`);
  else if (r.lastDeliveryMs > within + c.growthSlackMs) reasons.push(`delivered at ${Math.round((100 * r.windowMs) / r.lastDeliveryMs)}% of the offered rate`);
  if (r.pacerBehind) reasons.push('load generator fell behind its pacer');
  return reasons.join('; ');
}

/**
 * Median over the 1 s slices of the window of the server's CPU ms per second, from the samples
 * (`t` ms since the step began, `cpu` ms of CPU then); NaN if the window holds no whole slice.
 */
export function medianSliceCpu(samples: readonly { t: number; cpu: number }[], windowMs: number, sliceMs = 1000): number {
  const at = (t: number): { t: number; cpu: number } => samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best));
  const rates: number[] = [];
  for (let from = 0; samples.length > 1 && from + sliceMs <= windowMs + SAMPLE_MS / 2; from += sliceMs) {
    const [a, b] = [at(from), at(from + sliceMs)];
    if (b.t > a.t) rates.push(((b.cpu - a.cpu) * 1000) / (b.t - a.t));
  }
  return median(rates);
}

/** Runs one step at `rate` and measures the server (pid) while it runs. */
export async function measureStep(
  gen: LoadgenGroup,
  serverPid: number,
  rate: number,
  seconds: number,
  drainMs: number,
  criteria: Criteria,
  reliable: boolean,
): Promise<StepRecord> {
  await gen.settle(drainMs);
  const cpu0 = cpuTimeMs(serverPid) ?? 0;
  const m0 = machineTicks();
  const udp0 = udpCounters().RcvbufErrors ?? 0;
  const t0 = performance.now();
  // Sample the server's CPU and the machine's through the step, to tell the window from the drain.
  const samples: { t: number; cpu: number; busy: number }[] = [{ t: 0, cpu: cpu0, busy: 0 }];
  const poll = setInterval(() => samples.push({ t: performance.now() - t0, cpu: cpuTimeMs(serverPid) ?? cpu0, busy: busyMsBetween(m0, machineTicks()) }), SAMPLE_MS);
  const reply = await gen.step(rate, seconds, drainMs);
  clearInterval(poll);
  const wall = performance.now() - t0;
  const serverCpuMs = (cpuTimeMs(serverPid) ?? cpu0) - cpu0;
  const busy = busyMsBetween(m0, machineTicks());
  if (reply.type === 'error') throw new Error(`load generator: ${reply.message}`);
  const reason = verdict(reply, criteria, reliable);
  const inWindow = samples.filter((x) => x.t <= reply.windowMs).at(-1) ?? samples[0]!;
  const windowMs = Math.max(1, inWindow.t);
  return {
    ...reply,
    pass: reason === '',
    reason,
    serverCpuMs,
    serverWindowCpuShare: (inWindow.cpu - cpu0) / windowMs,
    cpuUsPerDelivery: reply.delivered > 0 ? (serverCpuMs * 1000) / reply.delivered : 0,
    cpuUsPerDeliverySteady: reply.delivered > 0 ? (medianSliceCpu(samples, reply.windowMs) * reply.windowMs) / reply.delivered : NaN,
    otherCores: Math.max(0, busy - serverCpuMs - reply.loadgenCpuMs) / wall,
    otherWindowCores: Math.max(0, inWindow.busy - (inWindow.cpu - cpu0) - reply.loadgenWindowCores * windowMs) / windowMs,
    rcvbufErrors: (udpCounters().RcvbufErrors ?? 0) - udp0,
    // Over the window, or until the last acknowledgement / delivery if that came later.
    deliveriesPerSec: (reply.delivered * 1000) / Math.max(reply.windowMs, reply.lastDeliveryMs),
    serverDatagramsPerSec: (reply.datagramsIn * 1000) / Math.max(reply.windowMs, reply.lastDeliveryMs),
    loadAverage: loadavg()[0] ?? 0,
  };
}

export interface SearchOptions {
  start: number;
  /** Rate multiplier while every step passes. */
  factor: number;
  bisections: number;
  /** Never offer more than this many messages/s or deliveries/s. */
  maxRate: number;
  maxDeliveriesPerSec: number;
  /** Stop searching when the remaining time is below this (ms since epoch). */
  deadline: number;
  /** After a step that got peers cut off: restore a full room; false if it cannot (the search stops). */
  recover?: () => Promise<boolean>;
}

export interface SearchResult {
  best: StepRecord | undefined;
  firstFail: StepRecord | undefined;
  steps: StepRecord[];
  /** Hit the rate cap without a failure. */
  capped: boolean;
}

/** Rounds to two significant digits so rates read well in tables. */
function nice(r: number): number {
  const p = 10 ** Math.max(0, Math.floor(Math.log10(r)) - 1);
  return Math.max(1, Math.round(r / p) * p);
}

export async function searchRate(step: (rate: number) => Promise<StepRecord>, peers: number, o: SearchOptions): Promise<SearchResult> {
  const steps: StepRecord[] = [];
  const cap = Math.min(o.maxRate, o.maxDeliveriesPerSec / peers);
  let best: StepRecord | undefined;
  let fail: StepRecord | undefined;
  let rate = nice(Math.min(o.start, cap));
  // Grow until a step fails or the cap is reached.
  for (let i = 0; i < 30 && Date.now() < o.deadline; i++) {
    const r = await step(rate);
    steps.push(r);
    if (!r.pass) {
      fail = r;
      break;
    }
    best = r;
    if (rate >= cap) return { best, firstFail: undefined, steps, capped: true };
    rate = nice(Math.min(cap, rate * o.factor));
  }
  // Peers cut off by a server limit leave the room smaller: go on only in a fresh room.
  const recovered = async (r: StepRecord): Promise<boolean> => !cutOff(r) || (o.recover !== undefined && (await o.recover()));
  if (fail !== undefined && !(await recovered(fail))) return { best, firstFail: fail, steps, capped: false };
  // Bisect geometrically between the last pass (or 0) and the first fail.
  let lo = best?.rate ?? 0;
  let hi = fail?.rate ?? 0;
  for (let b = 0; b < o.bisections && fail !== undefined && Date.now() < o.deadline; b++) {
    const mid = nice(lo > 0 ? Math.sqrt(lo * hi) : hi / 4);
    if (mid <= lo || mid >= hi) break;
    const r = await step(mid);
    steps.push(r);
    if (r.pass) {
      lo = mid;
      best = r;
    } else {
      hi = mid;
      fail = r;
    }
    if (!(await recovered(r))) break;
  }
  return { best, firstFail: fail, steps, capped: false };
}

/** The labels of `bottleneck` that say the server itself gave out. */
export const SERVER_SIDE = ['server limit (peers cut off)', 'server CPU'];

/**
 * Which side gave out at a failing step: the server's hard limit, the server's CPU, a load
 * generator process (a core's worth, or behind its pacer), the machine (all cores busy: the
 * label says whether the load generators or the server used most of them), or other processes.
 * Judged on the window alone. A load generator's event loop delayed on a full machine is the
 * machine's doing, not evidence against the load generator.
 */
export function bottleneck(f: StepRecord, machineCores = cores()): string {
  if (cutOff(f)) return SERVER_SIDE[0]!;
  const lgBusy = f.pacerBehind || f.loadgenWindowCpuShare >= 0.85;
  const srvBusy = f.serverWindowCpuShare >= 0.85;
  const machineFull = f.serverWindowCpuShare + f.loadgenWindowCores + f.otherWindowCores >= 0.9 * machineCores;
  if (f.otherWindowCores > 0.5 && !srvBusy) return 'shared machine (other processes)';
  if (srvBusy && (!lgBusy || f.serverWindowCpuShare >= f.loadgenWindowCpuShare)) return SERVER_SIDE[1]!;
  if (lgBusy) return 'load generator';
  if (machineFull) return `machine CPU (all cores busy, most of it ${f.loadgenWindowCores > f.serverWindowCpuShare ? 'the load generators' : 'the server'})`;
  if (f.loopDelayP99Ms > 50) return 'load generator (event loop delayed)';
  return 'neither process at 100 % (kernel, scheduling)';
}
