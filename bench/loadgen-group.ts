/**
 * Several load generator processes (bench/loadgen.ts) sharing one room: each gets its own range
 * of peers and its share of the rate; their step results merge into one (sums, maxima, and the
 * latency histograms added up), so the report does not depend on how many processes made the load.
 */
import { Histogram } from './histogram.js';
import { LoadgenProcess, type JoinResult, type StepResult } from './loadgen-protocol.js';

/** One step of several processes merged into one result (every sender is also a receiver). */
export function mergeSteps(parts: readonly StepResult[]): StepResult & { loadgenWindowCores: number } {
  if (parts.length === 0) throw new Error('no step results to merge');
  const sum = (f: (s: StepResult) => number): number => parts.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: StepResult) => number): number => Math.max(...parts.map(f));
  const all = new Histogram();
  const early = new Histogram();
  const late = new Histogram();
  for (const p of parts) {
    all.add(p.hist.all);
    early.add(p.hist.early);
    late.add(p.hist.late);
  }
  const offered = sum((s) => s.offered);
  const receivers = sum((s) => s.receivers);
  const expected = offered * receivers - offered;
  const delivered = sum((s) => s.delivered);
  const errors: Record<string, number> = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + n;
  const extra: Record<string, number> = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.extra)) extra[k] = (extra[k] ?? 0) + n / (k === 'entriesPerData' ? parts.length : 1);
  const first = parts[0]!;
  return {
    ...first,
    offered,
    acceptedInWindow: sum((s) => s.acceptedInWindow),
    accepted: sum((s) => s.accepted),
    expectedDeliveries: expected,
    delivered,
    loss: expected > 0 ? Math.max(0, expected - delivered) / expected : 0,
    duplicates: sum((s) => s.duplicates),
    skipped: sum((s) => s.skipped),
    earlyP50Ms: early.quantileUs(0.5) / 1000,
    lateP50Ms: late.quantileUs(0.5) / 1000,
    lastAcceptMs: max((s) => s.lastAcceptMs),
    lastDeliveryMs: max((s) => s.lastDeliveryMs),
    datagramsIn: sum((s) => s.datagramsIn),
    datagramsOut: sum((s) => s.datagramsOut),
    latency: all.summary(),
    hist: { all: all.toJSON(), early: early.toJSON(), late: late.toJSON() },
    receivers,
    windowMs: max((s) => s.windowMs),
    drainMs: max((s) => s.drainMs),
    loadgenCpuMs: sum((s) => s.loadgenCpuMs),
    // The busiest process: one at 100 % of a core is the bottleneck, however idle the others.
    loadgenCpuShare: max((s) => s.loadgenCpuShare),
    loadgenWindowCpuShare: max((s) => s.loadgenWindowCpuShare),
    loadgenWindowCores: sum((s) => s.loadgenWindowCpuShare),
    loopDelayP99Ms: max((s) => s.loopDelayP99Ms),
    loopDelayMaxMs: max((s) => s.loopDelayMaxMs),
    pacerBehind: parts.some((s) => s.pacerBehind),
    errors,
    extra,
  };
}

/** Splits `total` into `n` near-equal counts (the larger ones first). */
export function split(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

export class LoadgenGroup {
  readonly procs: LoadgenProcess[];
  private sizes: number[] = [];

  constructor(script: string, args: readonly string[], processes: number) {
    this.procs = Array.from({ length: Math.max(1, processes) }, () => new LoadgenProcess(script, args));
  }

  get stderr(): string[] {
    return this.procs.flatMap((p) => p.stderr);
  }

  /** Joins `total` peers over the processes; the results are summed. */
  async join(total: number, spreadMs: number, timeoutMs: number): Promise<JoinResult | { type: 'error'; message: string }> {
    this.sizes = split(total, this.procs.length).filter((n) => n > 0);
    const procs = this.procs.slice(0, this.sizes.length);
    let first = 0;
    const replies = await Promise.all(
      procs.map((p, i) => {
        const c = { cmd: 'join' as const, peers: this.sizes[i]!, first, total, spreadMs, timeoutMs };
        first += this.sizes[i]!;
        return p.request(c, timeoutMs * 2);
      }),
    );
    const bad = replies.find((r) => r.type !== 'joined');
    if (bad !== undefined) return { type: 'error', message: bad.type === 'error' ? bad.message : bad.type };
    const js = replies as JoinResult[];
    const errors: Record<string, number> = {};
    for (const j of js) for (const [k, n] of Object.entries(j.errors)) errors[k] = (errors[k] ?? 0) + n;
    return {
      type: 'joined',
      peers: total,
      online: js.reduce((a, j) => a + j.online, 0),
      allOnlineMs: Math.max(...js.map((j) => j.allOnlineMs)),
      failed: js.reduce((a, j) => a + j.failed, 0),
      errors,
      consistent: js.every((j) => j.consistent),
      caughtUpMs: js.some((j) => j.caughtUpMs === null) ? null : Math.max(...js.map((j) => j.caughtUpMs ?? 0)),
      detail: js.map((j) => j.detail).join(' | '),
    };
  }

  /** One step at `rate` messages/s over the whole room, each process offering its share. */
  async step(rate: number, seconds: number, drainMs: number): Promise<ReturnType<typeof mergeSteps> | { type: 'error'; message: string }> {
    const total = this.sizes.reduce((a, b) => a + b, 0);
    const rates = this.sizes.map((n) => (rate * n) / total);
    const roomOffered = rates.reduce((a, r) => a + Math.round(r * seconds), 0);
    const replies = await Promise.all(rates.map((r, i) => this.procs[i]!.request({ cmd: 'step', rate: r, seconds, drainMs, roomOffered }, (seconds * 3 + (drainMs * 2) / 1000 + 30) * 1000)));
    const bad = replies.find((r) => r.type !== 'step');
    if (bad !== undefined) return { type: 'error', message: bad.type === 'error' ? bad.message : bad.type };
    return { ...mergeSteps(replies as StepResult[]), rate };
  }

  /** Every process waits until its backlog is gone (bounded). */
  async settle(maxMs: number): Promise<void> {
    await Promise.all(this.procs.map((p) => p.request({ cmd: 'settle', maxMs }, maxMs + 10_000)));
  }

  async close(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.close()));
  }
}
