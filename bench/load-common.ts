/**
 * Pieces shared by the bench scripts: the command line (one flag table per script), message text
 * with the send time inside, the pacer, per-step accounting, and the load generator's own CPU and
 * event-loop delay.
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Histogram, type HistogramData, type LatencySummary } from './histogram.js';
import type { StepResult } from './loadgen-protocol.js';
import { ChatClient } from '../lib/client/chat-client.js';
import type { ClientEvent } from '../lib/client/session-types.js';

// performance.now() counts from this process's start; the monotonic clock (hrtime) is the same in
// every process on the machine, so send times written by one load generator process (or the
// witness harness) are comparable with receive times taken in another.
const ORIGIN_US = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;

/** Microseconds on the machine's monotonic clock (comparable across processes). */
export function nowUs(): number {
  return Math.round(ORIGIN_US + performance.now() * 1000);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One command-line flag of a bench script: a switch, or one taking a value (`arg` names it in
 * the usage: `N`, `PATH`, `10,50` …; `numbers` says it must be a number or a comma-separated list
 * of them).
 */
export interface Flag {
  help: string;
  arg?: string;
  numbers?: boolean;
}

export type Flags = Record<string, Flag>;

/** The flags given, checked against the table. */
export class Options {
  constructor(
    private readonly values: ReadonlyMap<string, string | true>,
    readonly positionals: readonly string[],
  ) {}

  /** The switch (or the flag) was given. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The flag's value, or `fallback`. */
  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : fallback;
  }

  number(name: string, fallback: number): number {
    const v = this.values.get(name);
    return typeof v === 'string' ? Number(v) : fallback;
  }

  /** A comma-separated list of numbers (`fallback` when not given). */
  numbers(name: string, fallback: string): number[] {
    return this.string(name, fallback).split(',').map(Number);
  }
}

/** The usage text: one line per flag, `--help` last. */
export function usage(command: string, flags: Flags, positionals = ''): string {
  const names = Object.entries(flags).map(([name, f]) => [f.arg === undefined ? name : `${name} ${f.arg}`, f.help] as const);
  names.push(['--help, -h', 'this text']);
  const width = Math.max(...names.map(([n]) => n.length));
  return [`usage: ${command}${positionals === '' ? '' : ` ${positionals}`} [options]`, ...names.map(([n, h]) => `  ${n.padEnd(width)}  ${h}`)].join('\n');
}

/**
 * Parses `argv` against the table (node:util's parseArgs, strict): `--flag`, `--flag value`,
 * `--flag=value`, at most `maxPositionals` words without a dash. Pure: `cli` prints and exits.
 */
export function parseFlags(argv: readonly string[], flags: Flags, maxPositionals = 0): Options | { help: true } | { error: string } {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const options = Object.fromEntries(Object.entries(flags).map(([name, f]) => [name.slice(2), { type: f.arg === undefined ? ('boolean' as const) : ('string' as const) }]));
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: maxPositionals > 0 });
  } catch (e) {
    return { error: (e instanceof Error ? e.message : String(e)).split(/\n|\. /)[0]!.replace(/\.$/, '') };
  }
  if (parsed.positionals.length > maxPositionals) return { error: `unexpected argument '${parsed.positionals[maxPositionals]!}'` };
  const values = new Map<string, string | true>();
  for (const [key, v] of Object.entries(parsed.values)) {
    const name = `--${key}`;
    const flag = flags[name]!;
    if (typeof v === 'string' && flag.numbers === true && !v.split(',').every((x) => x.trim() !== '' && Number.isFinite(Number(x)))) {
      return { error: `${name} takes ${flag.arg?.includes(',') === true ? 'numbers separated by commas' : 'a number'}, not '${v}'` };
    }
    if (v !== undefined && v !== false) values.set(name, v);
  }
  return new Options(values, parsed.positionals);
}

/** How a script reads its command line (all optional). */
export interface CliOptions {
  argv?: readonly string[];
  /** Positionals in the usage line, e.g. `[K] [rates]`, and how many are allowed. */
  positionals?: string;
  maxPositionals?: number;
  /** A further check of the parsed flags: a one-line error, or undefined. */
  check?: (o: Options) => string | undefined;
}

/**
 * The command line of a bench script: `--help` / `-h` prints the usage and exits 0; an unknown
 * flag, a missing value, a bad number or a failed `check` prints one line and exits 2.
 */
export function cli(command: string, flags: Flags, c: CliOptions = {}): Options {
  const r = parseFlags(c.argv ?? process.argv.slice(2), flags, c.maxPositionals ?? 0);
  if ('help' in r) {
    process.stdout.write(`${usage(command, flags, c.positionals)}\n`);
    process.exit(0);
  }
  const error = r instanceof Options ? c.check?.(r) : r.error;
  if (error === undefined) return r as Options;
  process.stderr.write(`${command}: ${error} (--help lists the flags)\n`);
  process.exit(2);
}

/**
 * Chat text of one bench message: `t=<send time µs> s=<sender> i=<n-th message of that sender>
 * k=<step>`, padded with dots to `bytes` so every datagram has the same size.
 */
export function messageText(t: number, s: number, i: number, k: number, bytes: number): string {
  const core = `t=${t} s=${s} i=${i} k=${k} `;
  return core.length >= bytes ? core : core + '.'.repeat(bytes - core.length);
}

const [T, S, I, K] = ['t', 's', 'i', 'k'].map((c) => c.charCodeAt(0)) as [number, number, number, number];
const EQ = 61;
const SPACE = 32;
/** Where the last readNumber stopped. */
let readTo = 0;

/**
 * Reads `<key>=<digits>` at `at` of a bench message text: the value, and where it ends in
 * `readTo`; -1 if it is not there. By hand, not a regular expression: the load generator reads
 * every delivery (hundreds of thousands a second), and this costs it no allocation.
 */
function readNumber(text: string, at: number, key: number): number {
  if (text.charCodeAt(at) !== key || text.charCodeAt(at + 1) !== EQ) return -1;
  let p = at + 2;
  let v = 0;
  for (let c = text.charCodeAt(p); c >= 48 && c <= 57; c = text.charCodeAt(++p)) v = v * 10 + (c - 48);
  readTo = p;
  return p === at + 2 ? -1 : v;
}

/** The four numbers of a bench message text (`t=… s=… i=… k=…`), or undefined for anything else. */
export function parseText(text: string): { t: number; s: number; i: number; k: number } | undefined {
  const r = readText(text);
  return r ? { ...scratch } : undefined;
}
const scratch = { t: 0, s: 0, i: 0, k: 0 };

/** Reads a bench message text into the module's scratch numbers; false for anything else. */
function readText(text: string): boolean {
  scratch.t = readNumber(text, 0, T);
  if (scratch.t < 0 || text.charCodeAt(readTo) !== SPACE) return false;
  scratch.s = readNumber(text, readTo + 1, S);
  if (scratch.s < 0 || text.charCodeAt(readTo) !== SPACE) return false;
  scratch.i = readNumber(text, readTo + 1, I);
  if (scratch.i < 0 || text.charCodeAt(readTo) !== SPACE) return false;
  scratch.k = readNumber(text, readTo + 1, K);
  return scratch.k >= 0;
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
  receive(lastI: Int32Array, self: number, s: number, i: number, k: number, t: number, now = nowUs()): void {
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
    this.delivered++;
    this.lastDeliveryUs = now;
    this.latency.record(now - t);
    const q = (t - this.startUs) / this.windowUs;
    if (q < 0.25) this.early.record(now - t);
    else if (q >= 0.75) this.lateQuarter.record(now - t);
  }

  /**
   * `receive` for a chat text as it arrived (`now`: when its datagram did, the same moment for
   * every message it carried); false for a text that is not a bench message.
   */
  receiveText(lastI: Int32Array, self: number, text: string, now: number): boolean {
    if (!readText(text)) return false;
    this.receive(lastI, self, scratch.s, scratch.i, scratch.k, scratch.t, now);
    return true;
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

/** The project's client, joined to `server` (sealing if `sealed`); throws if it has not joined within 15 s. */
export async function joinedClient(server: string, nick: string, sealed = false): Promise<ChatClient> {
  const client = new ChatClient({ server, nick, ...(sealed ? { seal: { userKey: randomBytes(32) } } : {}) });
  let joined = false;
  const onEvent = (e: ClientEvent): void => {
    joined ||= e.type === 'joined';
  };
  client.on('event', onEvent);
  await client.connect();
  client.join();
  await waitUntil(() => joined, 15_000);
  client.off('event', onEvent);
  if (!joined) throw new Error(`${nick} could not join ${server}`);
  return client;
}

/** Waits until `done()` or `maxMs`, polling every 10 ms; returns the time waited. */
export async function waitUntil(done: () => boolean, maxMs: number): Promise<number> {
  const start = performance.now();
  while (!done() && performance.now() - start < maxMs) await sleep(10);
  return performance.now() - start;
}
