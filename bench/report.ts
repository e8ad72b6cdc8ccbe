/**
 * Turning blocks into the summary: per (system, K) the median with [min–max] over runs, the
 * comparisons at equal load and at each system's max, the targets (verdicts from medians), the
 * stdout table and docs/performance.md.
 */
import type { BlockResult } from './blocks.js';
import { median, range } from './histogram.js';
import type { IperfResult } from './iperf.js';
import { bottleneck, SERVER_SIDE, type Criteria, type StepRecord } from './search.js';
import type { TargetName } from './targets.js';
import type { DurableLoadLine, RestartResult, ScriptResult, TableRow } from './scripts.js';
import type { WitnessResult } from './witness.js';

/** A figure over runs: median and range. */
export interface Stat {
  med: number;
  min: number;
  max: number;
  n: number;
}

export function stat(xs: readonly (number | undefined)[]): Stat {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  const [min, max] = range(v);
  return { med: median(v), min, max, n: v.length };
}

export interface Row {
  target: TargetName;
  peers: number;
  runs: number;
  maxRate: Stat;
  deliveriesPerSec: Stat;
  serverDatagramsPerSec: Stat;
  p99AtMax: Stat;
  /** At the fixed 100 msg/s step. */
  p50At100: Stat;
  p99At100: Stat;
  /** Server CPU µs per delivery at 100 msg/s: side by side with the other compared systems where it was run so (BlockResult.together), else alone. */
  cpuAt100: Stat;
  /** The same from the step it ran alone (the latency step), for comparing with rows measured alone (sealed, durable). */
  cpuAt100Alone?: Stat;
  /** Side by side: this system's CPU per delivery ÷ the naive relay's in the same round, run by run. */
  cpuVsRelayTogether?: Stat;
  /** Server CPU ms per second with the room joined and silent, just after the 100 msg/s step. */
  idleCpu: Stat;
  cpuAtMax: Stat;
  entriesPerData: Stat;
  serverShareAtMax: Stat;
  loadgenCoresAtMax: Stat;
  /** Load generators' CPU µs per delivery at max (all processes; compare with the server's). */
  loadgenCpuAtMax: Stat;
  /** Which side gave out at the first failing step, over runs. */
  gaveOut: string;
  /** Runs whose first failing step was the server's own doing (its CPU or a limit): its max is its ceiling. */
  serverBoundRuns: number;
  notes: string[];
}

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  kernel: string;
  iperf3: string;
}

/** What else the machine was doing: load averages and the busiest other processes. */
export interface Conditions {
  loadStart: number[];
  loadEnd: number[];
  /** Median CPU (cores) all other processes used during the steps. */
  otherCores: number;
  /** Busiest processes the bench did not start, over the whole run: share of one core. */
  topOthers: { name: string; share: number }[];
}

/** What the standalone scripts run as phases printed: one entry per run. */
export interface Scripts {
  tui?: ScriptResult<TableRow[]>[];
  durableLoad?: ScriptResult<DurableLoadLine[]>[] | undefined;
  restart?: ScriptResult<RestartResult>[];
  seal?: ScriptResult<TableRow[]>[] | undefined;
  rooms?: ScriptResult<TableRow[]>[] | undefined;
  flood?: ScriptResult<TableRow[]>[] | undefined;
}

/** One `npm run bench` of several whose results are merged into one report. */
export interface Invocation {
  command: string;
  /** The code measured: `git describe`-like (short commit, "+ uncommitted changes" if lib/, bin/ or bench/ differed); absent in results of older benches. */
  commit?: string;
  started: string;
  finishedMs: number;
  conditions: Conditions;
}

export interface Results {
  mode: 'quick' | 'full';
  command: string;
  /** See Invocation.commit. */
  commit?: string;
  started: string;
  finishedMs: number;
  budgetMs: number;
  machine: Machine;
  conditions: Conditions;
  criteria: Criteria;
  liftedFlags: string;
  loadgens: number;
  datagramBytes: number;
  stepSeconds: number;
  /** The fixed 100 msg/s step, the longer one where CPU per delivery is compared, the warm-ups (all, and of those rows) and the idle window (s). */
  fixedSeconds: number;
  cpuSeconds: number;
  warmSeconds: number;
  cpuWarmSeconds: number;
  idleSeconds: number;
  drainMs: number;
  /**
   * Rounds of the run: each runs every system's rate search once, then one run of each target
   * phase, so a row's runs are spread over the invocation (absent in older runs: all phases
   * after all rate searches, a phase's runs back to back).
   */
  rounds?: number;
  iperf: IperfResult[];
  iperfNote: string;
  blocks: BlockResult[];
  storms: BlockResult[];
  witnesses: WitnessResult[];
  /** The standalone scripts run as phases. */
  scripts: Scripts;
  /** Set when these are several invocations merged (`--render a.json,b.json`): each of them. */
  invocations?: Invocation[];

  rows: Row[];
  notes: string[];
}

/** CPU µs per delivery of a fixed step: the steady figure (median of 1 s slices) where the step was long enough, else the whole window. */
function cpuOf(f: StepRecord | undefined): number | undefined {
  return f !== undefined && Number.isFinite(f.cpuUsPerDeliverySteady) ? f.cpuUsPerDeliverySteady : f?.cpuUsPerDelivery;
}

export function summarize(blocks: readonly BlockResult[]): Row[] {
  const keys = [...new Set(blocks.map((b) => `${b.peers}|${b.target}`))];
  return keys.map((key) => {
    const group = blocks.filter((b) => `${b.peers}|${b.target}` === key);
    const first = group[0]!;
    const best = group.map((b) => b.search?.best);
    const notes: string[] = [];
    const limits = new Map<string, number>();
    let serverBoundRuns = 0;
    for (const b of group) {
      if (b.error !== undefined) notes.push(`run ${b.rep} failed: ${b.error}`);
      if (b.search?.capped === true) notes.push(`run ${b.rep} reached the rate cap without a failure`);
      if (b.restarts > 0) notes.push(`run ${b.rep} started over with a fresh server ${b.restarts}× after peers were cut off`);
      const f = b.search?.firstFail;
      if (f === undefined) continue;
      const side = bottleneck(f);
      limits.set(side, (limits.get(side) ?? 0) + 1);
      if (SERVER_SIDE.includes(side)) serverBoundRuns++;
    }
    const fails = group.map((b) => b.search?.firstFail).filter((f): f is StepRecord => f !== undefined);
    const example = fails[Math.floor(fails.length / 2)];
    if (example !== undefined) {
      notes.unshift(`e.g. at ${example.rate} msg/s: ${example.reason} [server ${pct(example.serverWindowCpuShare)} of a core, load generators ${example.loadgenWindowCores.toFixed(2)} cores (busiest ${pct(example.loadgenWindowCpuShare)}), others ${example.otherWindowCores.toFixed(2)} cores${example.rcvbufErrors > 0 ? `; the kernel dropped ${n0(example.rcvbufErrors)} datagrams at full socket buffers` : ''}]`);
    }
    return {
      target: first.target,
      peers: first.peers,
      runs: group.length,
      maxRate: stat(best.map((s) => s?.rate)),
      deliveriesPerSec: stat(best.map((s) => s?.deliveriesPerSec)),
      serverDatagramsPerSec: stat(best.map((s) => s?.serverDatagramsPerSec)),
      p99AtMax: stat(best.map((s) => s?.latency.p99Ms)),
      p50At100: stat(group.map((b) => b.fixed?.latency.p50Ms)),
      p99At100: stat(group.map((b) => b.fixed?.latency.p99Ms)),
      cpuAt100: stat(group.map((b) => cpuOf(b.together?.fixed ?? b.fixed))),
      cpuAt100Alone: stat(group.map((b) => cpuOf(b.fixed))),
      cpuVsRelayTogether: stat(
        group.map((b) => {
          const relay = blocks.find((x) => x.target === 'relay' && x.peers === b.peers && x.rep === b.rep);
          const [mine, theirs] = [cpuOf(b.together?.fixed), cpuOf(relay?.together?.fixed)];
          return mine !== undefined && theirs !== undefined ? mine / theirs : undefined;
        }),
      ),
      idleCpu: stat(group.map((b) => b.idleCpuMsPerSec)),
      cpuAtMax: stat(best.map((s) => s?.cpuUsPerDelivery)),
      entriesPerData: stat(best.map((s) => s?.extra['entriesPerData'])),
      serverShareAtMax: stat(best.map((s) => s?.serverWindowCpuShare)),
      loadgenCoresAtMax: stat(best.map((s) => s?.loadgenWindowCores)),
      loadgenCpuAtMax: stat(best.map((s) => (s !== undefined && s.delivered > 0 ? (s.loadgenCpuMs * 1000) / s.delivered : undefined))),
      gaveOut: [...limits].map(([w, n]) => `${w} (${n} of ${group.length})`).join(', '),
      serverBoundRuns,
      notes,
    };
  });
}

export const n0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
export const n2 = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '-');
export const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : '-');

/** A number as a script printed it: whole ones (and ≥ 1,000) with separators, others to 3 figures. */
export const num = (x: number): string => (Number.isInteger(x) || x >= 1000 ? n0(x) : n2(x));

/** "median [min–max]" (just the median for one run). */
export function fmt(s: Stat, f: (x: number) => string = n0): string {
  if (s.n === 0) return '-';
  return s.n === 1 || s.min === s.max ? f(s.med) : `${f(s.med)} [${f(s.min)}–${f(s.max)}]`;
}

/** "(one run)" after a figure measured once. */
const once = (s: Stat): string => (s.n === 1 ? ' (one run)' : '');

export const NAMES: Record<TargetName, string> = {
  udpchat: 'udp-chat (in memory, limits lifted)',
  sealed: 'udp-chat (sealed, in memory, limits lifted)',
  durable: 'udp-chat (durable, limits lifted)',
  stock: 'udp-chat (stock flags)',
  relay: 'naive relay',
  batch: 'batching relay',
};

/** The results table's header (stdout and docs/performance.md). */
export const COLUMNS = ['K', 'system', 'runs', 'max msg/s', 'deliveries/s at max', 'server datagrams/s at max', 'p99 ms at max', 'p50 / p99 ms at 100 msg/s', 'CPU µs/delivery at 100 msg/s', 'server CPU idle, ms/s', 'CPU µs/delivery at max', 'msgs per datagram at max', 'CPU at max: server / load gens', 'gave out at'];

export function cells(r: Row): string[] {
  return [
    String(r.peers),
    NAMES[r.target],
    String(r.runs),
    fmt(r.maxRate),
    fmt(r.deliveriesPerSec),
    fmt(r.serverDatagramsPerSec),
    fmt(r.p99AtMax, n2),
    `${fmt(r.p50At100, n2)} / ${fmt(r.p99At100, n2)}`,
    fmt(r.cpuAt100, n2),
    fmt(r.idleCpu, n2),
    fmt(r.cpuAtMax, n2),
    r.target === 'relay' ? '1' : fmt(r.entriesPerData, (x) => x.toFixed(1)),
    `${pct(r.serverShareAtMax.med)} / ${n2(r.loadgenCoresAtMax.med)} cores`,
    r.gaveOut || '-',
  ];
}

/** Plain fixed-width table for stdout. */
export function textTable(rows: readonly Row[]): string {
  const data = [COLUMNS, ...rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...data.map((r) => (r[i] ?? '').length)));
  return data.map((r) => r.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** One target line: what was measured (medians, with ranges) and the verdict computed from the medians. */
export interface TargetLine {
  target: string;
  measured: string;
  verdict: 'met' | 'missed' | 'not measured';
}

const verdictOf = (ok: boolean | undefined): TargetLine['verdict'] => (ok === undefined ? 'not measured' : ok ? 'met' : 'missed');

/** The targets of issues 13 and 9, checked against the rows (medians), the witnesses and the scripts. */
export function targetLines(rows: readonly Row[], witnesses: readonly WitnessResult[], scripts: Scripts = {}, storms: readonly BlockResult[] = []): TargetLine[] {
  const row = (t: TargetName, k: number): Row | undefined => rows.find((r) => r.target === t && r.peers === k);
  const lines: TargetLine[] = [];
  for (const k of [10, 50, 200]) {
    const u = row('udpchat', k);
    const r = row('relay', k);
    const b = row('batch', k);
    const x = u !== undefined && r !== undefined ? u.cpuAt100.med / r.cpuAt100.med : undefined;
    const vsBatch = u !== undefined && b !== undefined ? `; batching relay ${fmt(b.cpuAt100, n2)} µs (${n2(u.cpuAt100.med / b.cpuAt100.med)}×)` : '';
    const idle = u !== undefined && r !== undefined && u.idleCpu.n > 0 ? `; idle: ${fmt(u.idleCpu, n2)} vs ${fmt(r.idleCpu, n2)} ms CPU/s` : '';
    const pairs = u?.cpuVsRelayTogether;
    // A verdict on a line the rounds fall on both sides of says so: another invocation may well turn it.
    const straddles = pairs !== undefined && pairs.n > 1 && pairs.min <= 1.2 && pairs.max > 1.2 ? ' (rounds on both sides of 1.2×)' : '';
    const paired = pairs !== undefined && pairs.n > 0 ? `; side by side, round by round: ${fmt(pairs, n2)}×${straddles}` : '';
    lines.push({
      target: `at 100 msg/s, K=${k}: udp-chat's server CPU per delivery ≤ 1.2× the naive relay's`,
      measured: x === undefined || !Number.isFinite(x) ? '-' : `${fmt(u!.cpuAt100, n2)} vs ${fmt(r!.cpuAt100, n2)} µs (${n2(x)}×)${paired}${vsBatch}${idle}`,
      verdict: verdictOf(x === undefined || !Number.isFinite(x) ? undefined : x <= 1.2),
    });
  }
  for (const k of [10, 50, 200]) {
    const [u, r] = [row('udpchat', k), row('relay', k)];
    const vsNaive = u !== undefined && r !== undefined ? `; naive relay ${fmt(r.maxRate)} (${n2(u.maxRate.med / r.maxRate.med)}×)` : '';
    lines.push(maxTarget(`at each one's max, K=${k}: udp-chat msg/s ≥ 70% of the batching relay's`, u, row('batch', k), 0.7, vsNaive));
  }
  const w = witnesses.filter((x) => x.kind === 'plain' && x.peers === 50 && x.rate === 100 && x.error === undefined);
  const u50 = row('udpchat', 50);
  // Real clients seal every session (the CLI always does): their in-process twin is the sealed row's peers.
  const s50 = row('sealed', 50);
  const twin = s50 ?? u50;
  if (w.length > 0 && twin !== undefined) {
    const p99 = stat(w.map((x) => x.latency?.p99Ms));
    const x = p99.med / twin.p99At100.med;
    const clear = s50 !== undefined && u50 !== undefined ? `; in-process cleartext peers ${fmt(u50.p99At100, n2)} ms (${n2(p99.med / u50.p99At100.med)}×)` : '';
    lines.push({
      target: 'real `join --plain` clients, K=50 at 100 msg/s: p99 ≤ 2× the in-process figure',
      measured: `${fmt(p99, n2)}${once(p99)} vs ${fmt(twin.p99At100, n2)} ms in-process ${s50 !== undefined ? 'sealed peers, as real clients are' : 'cleartext peers (no sealed row in this run)'} (${n2(x)}×)${clear}`,
      verdict: verdictOf(Number.isFinite(x) ? x <= 2 : undefined),
    });
  } else lines.push({ target: 'real `join --plain` clients, K=50 at 100 msg/s: p99 ≤ 2× the in-process figure', measured: '-', verdict: 'not measured' });
  lines.push(...sealedTargets(row('sealed', 50), u50, storms));
  lines.push(...floodTargets((scripts.flood ?? []).flatMap((f) => (f.result === undefined ? [] : [f.result]))));
  lines.push(...tuiTargets(scripts.tui ?? []));
  lines.push(...stoppedTargets(witnesses));
  lines.push(...durableTargets(row('durable', 50), u50, scripts.restart ?? []));
  return lines;
}

/** A row's max is its server's ceiling when most of its runs gave out at the server. */
const serverBound = (r: Row): boolean => 2 * r.serverBoundRuns > r.runs;

/**
 * A target "a's max msg/s ≥ `least` × b's". A max where the server did not give out (the load
 * generators or the machine did) is only a lower bound of its ceiling, so the verdict is given
 * only where the bounds decide it: both server-bound; a's alone (the ratio is then an upper
 * bound: below `least` is missed); b's alone (a lower bound: `least` or more is met). Otherwise
 * "not measured", with what each side used and the servers' own CPU per delivery at max.
 */
export function maxTarget(target: string, a: Row | undefined, b: Row | undefined, least: number, extra = ''): TargetLine {
  const x = a !== undefined && b !== undefined ? a.maxRate.med / b.maxRate.med : NaN;
  if (a === undefined || b === undefined || !Number.isFinite(x)) return { target, measured: '-', verdict: 'not measured' };
  const [ab, bb] = [serverBound(a), serverBound(b)];
  const ok = ab && bb ? x >= least : ab ? (x < least ? false : undefined) : bb ? (x >= least ? true : undefined) : undefined;
  const open = [a, b].filter((r) => !serverBound(r));
  const why = open.map((r) => `${NAMES[r.target]} gave out at ${r.gaveOut || '-'}: server ${pct(r.serverShareAtMax.med)} of a core and ${n2(r.cpuAtMax.med)} µs per delivery, load generators ${n2(r.loadgenCoresAtMax.med)} cores and ${n2(r.loadgenCpuAtMax.med)} µs per delivery`);
  const bounds = open.length === 0 ? '' : `; not ${open.length === 2 ? 'the servers\' ceilings' : 'a server ceiling'} (${why.join('; ')})`;
  return { target, measured: `${fmt(a.maxRate)} vs ${fmt(b.maxRate)} msg/s (${pct(x)})${extra}${bounds}`, verdict: verdictOf(ok) };
}

/** A target "a's p99 at 100 msg/s ≤ b's + `slackMs`" (medians). */
function p99Target(target: string, a: Row | undefined, b: Row | undefined, slackMs: number): TargetLine {
  const extra = a !== undefined && b !== undefined ? a.p99At100.med - b.p99At100.med : NaN;
  if (!Number.isFinite(extra)) return { target, measured: '-', verdict: 'not measured' };
  return { target, measured: `${fmt(a!.p99At100, n2)} vs ${fmt(b!.p99At100, n2)} ms (${extra >= 0 ? '+' : '−'}${n2(Math.abs(extra))} ms)`, verdict: verdictOf(extra <= slackMs) };
}

/** Issue 10's targets for sealed sessions against cleartext, same run, K=50. */
/** Time until all of a join storm's peers were online, over the storms of a system where none failed. */
export const stormOnline = (storms: readonly BlockResult[], t: TargetName): Stat => stat(storms.filter((b) => b.target === t).map((b) => (b.join !== undefined && b.join.failed === 0 ? b.join.allOnlineMs : NaN)));

function sealedTargets(s: Row | undefined, u: Row | undefined, storms: readonly BlockResult[]): TargetLine[] {
  const [so, uo] = [stormOnline(storms, 'sealed'), stormOnline(storms, 'udpchat')];
  const joins = so.n > 0 && uo.n > 0 ? so.med / uo.med : undefined;
  return [
    maxTarget("sealed, K=50: max msg/s ≥ 70% of cleartext's (same run)", s, u, 0.7),
    p99Target("sealed, K=50 at 100 msg/s: p99 ≤ cleartext's + 2 ms", s, u, 2),
    {
      target: "sealed: join handshake time for 1000 peers (all online) ≤ 2× cleartext's",
      measured: joins === undefined ? '-' : `${fmt(so)} vs ${fmt(uo)} ms (${n2(joins)}×)`,
      verdict: verdictOf(joins === undefined ? undefined : joins <= 2),
    },
  ];
}

/**
 * Issue 10 item 7: under ~100k datagrams/s of garbage or spoofed joins a member's messages still
 * arrive (none lost, p99 ≤ 2 s) and nobody is evicted — at the highest rate flood.ts asked for,
 * with the rate its generators reached; over the runs (one table each): medians, and nobody
 * evicted in any run.
 */
export function floodTargets(runs: readonly (readonly TableRow[])[]): TargetLine[] {
  const rows = runs.flat();
  const top = Math.max(0, ...rows.map((r) => Number(r['asked /s'])));
  const kinds = [...new Set(rows.filter((r) => r['flood'] !== 'none').map((r) => `${r['server']}|${r['flood']}`))];
  return kinds.map((key) => {
    const [server, kind] = key.split('|') as [string, string];
    const at = rows.filter((x) => x['server'] === server && x['flood'] === kind && Number(x['asked /s']) === top);
    const target = `a member under a flood of ${n0(top)} datagrams/s (asked) of ${kind === 'hello' ? 'spoofed HELLO / HANDSHAKE1' : kind === 'join' ? 'spoofed JOINs' : kind} (${server} server): none lost, p99 ≤ 2 s, nobody evicted`;
    if (at.length === 0) return { target, measured: '-', verdict: 'not measured' };
    const of = (column: string): Stat => stat(at.map((r) => Number(r[column])));
    const [lost, p99] = [of('lost'), of('p99 ms')];
    const evicted = at.map((r) => String(r['evicted'])).filter((e) => e !== 'nobody');
    const ok = lost.med === 0 && p99.med <= 2000 && evicted.length === 0;
    return { target, measured: `${fmt(lost)} of ${fmt(of('messages'))} lost, p99 ${fmt(p99, num)} ms, evicted: ${evicted.join(', ') || 'nobody'}; the generators sent ${fmt(of('sent /s'))}/s${once(p99)}`, verdict: verdictOf(ok) };
  });
}

/** A number of a script's table: in the first row where `key` matches `value`, the first column whose name matches `column`. */
export function cell(rows: readonly TableRow[] | undefined, key: string, value: RegExp | number, column: RegExp): number | undefined {
  const r = rows?.find((x) => (typeof value === 'number' ? x[key] === value : value.test(String(x[key]))));
  const v = r?.[Object.keys(r).find((k) => column.test(k)) ?? ''];
  return typeof v === 'number' ? v : undefined;
}

/** A tui-load.ts column at `rate` msg/s, over the runs. */
const tuiFigure = (runs: readonly ScriptResult<TableRow[]>[], rate: number, column: RegExp): Stat => stat(runs.map((t) => cell(t.result, 'rate msg/s', rate, column)));

function tuiTargets(tui: readonly ScriptResult<TableRow[]>[]): TargetLine[] {
  const cpu = tuiFigure(tui, 1000, /viewer CPU/);
  const key = tuiFigure(tui, 5000, /keystroke.*p99/i);
  const lag = tuiFigure(tui, 5000, /lag.*p99/i);
  const of = (x: Stat, ok: (x: number) => boolean): TargetLine['verdict'] => (x.n === 0 ? 'not measured' : verdictOf(ok(x.med)));
  const none = 'bench/tui-load.ts does not measure it';
  return [
    { target: 'full-screen client: ≤ 15% of a core at 1,000 msg/s', measured: cpu.n === 0 ? '-' : `${fmt(cpu, n2)}%${once(cpu)}`, verdict: of(cpu, (x) => x <= 15) },
    { target: 'full-screen client: keystroke-to-screen p99 ≤ 30 ms at 5,000 msg/s', measured: key.n === 0 ? none : `${fmt(key, n2)} ms${once(key)}`, verdict: of(key, (x) => x <= 30) },
    { target: 'full-screen client: display lag p99 ≤ 100 ms at 5,000 msg/s', measured: lag.n === 0 ? none : `${fmt(lag, n2)} ms${once(lag)}`, verdict: of(lag, (x) => x <= 100) },
  ];
}

/** A real client stopped 9 s and 60 s: every run shows every message, with at most one notice. */
function stoppedTargets(witnesses: readonly WitnessResult[]): TargetLine[] {
  return [9, 60].map((s) => {
    const runs = witnesses.filter((x) => x.kind === 'stopped' && x.seconds === s + 5);
    const ok = runs.filter((w) => w.error === undefined);
    const target = `a real client stopped ${s} s at 2,000 msg/s gets every message (durable server), at most one notice`;
    if (ok.length === 0) return { target, measured: runs[0]?.error ?? '-', verdict: 'not measured' };
    const notices = ok.map((w) => Number(/(\d+) notice lines/.exec(w.detail)?.[1] ?? NaN));
    const failed = ok.length < runs.length ? `; ${runs.length - ok.length} failed: ${runs.find((w) => w.error !== undefined)!.error}` : '';
    return {
      target,
      measured: `${ok.map((w, i) => `${n0(w.delivered)} of ${n0(w.expected)} shown, ${notices[i]} notice line(s)`).join('; ')} (${ok.length === 1 ? 'one run' : `${ok.length} runs`}${failed})`,
      verdict: verdictOf(ok.every((w, i) => w.delivered >= w.expected && notices[i]! <= 1)),
    };
  });
}

function durableTargets(d: Row | undefined, u: Row | undefined, restart: readonly ScriptResult<RestartResult>[]): TargetLine[] {
  const total = stat(restart.map((r) => r.result?.totalMs));
  return [
    maxTarget("durable server, K=50: max msg/s ≥ 50% of the in-memory server's", d, u, 0.5),
    p99Target('durable server, K=50 at 100 msg/s: p99 ≤ the in-memory p99 + 5 ms', d, u, 5),
    {
      target: 'durable server: restart with 100,000 messages in the log ≤ 1 s',
      measured: total.n === 0 ? '-' : `${fmt(total)} ms (${n0(restart.find((r) => r.result !== undefined)!.result!.messages)} messages${total.n === 1 ? '; one run' : ''})`,
      verdict: verdictOf(total.n === 0 ? undefined : total.med <= 1000),
    },
  ];
}

/** Comparison of the three systems per K: at equal offered load (100 msg/s) and at each one's max. */
export function comparisonRows(rows: readonly Row[]): string[][] {
  const ks = [...new Set(rows.map((r) => r.peers))].sort((a, b) => a - b);
  const out: string[][] = [];
  for (const k of ks) {
    const u = rows.find((r) => r.peers === k && r.target === 'udpchat');
    if (u === undefined) continue;
    for (const t of ['relay', 'batch'] as const) {
      const o = rows.find((r) => r.peers === k && r.target === t);
      if (o === undefined) continue;
      const x = (a: Stat, b: Stat): string => (Number.isFinite(a.med / b.med) ? `${n2(a.med / b.med)}×` : '-');
      out.push([String(k), NAMES[t], x(u.cpuAt100, o.cpuAt100), x(u.p99At100, o.p99At100), x(u.maxRate, o.maxRate), x(u.cpuAtMax, o.cpuAtMax)]);
    }
  }
  return out;
}



/** A saved results file, with its rows and its scripts as lists of runs (older files held one object per script). */
export function readResults(text: string): Results {
  const res = JSON.parse(text) as Results;
  const scripts: Record<string, unknown> = { ...res.scripts };
  for (const [key, one] of Object.entries(scripts)) if (one !== undefined && !Array.isArray(one)) scripts[key] = [one];
  return { ...res, scripts, rows: summarize(res.blocks) };
}

/** Settings that must agree for runs of several invocations to be read as runs of one. */
const SAME: readonly (keyof Results)[] = ['mode', 'machine', 'criteria', 'liftedFlags', 'loadgens', 'datagramBytes', 'stepSeconds', 'fixedSeconds', 'cpuSeconds', 'warmSeconds', 'cpuWarmSeconds', 'idleSeconds', 'drainMs'];

/**
 * Several invocations as one report: every run of each (blocks, storms, real clients, scripts),
 * so each figure is the median over all of them and its range spans all of them. Run numbers
 * continue from one invocation to the next; settings that differ are named in the notes.
 */
export function mergeResults(list: readonly Results[]): Results {
  const first = list[0]!;
  if (list.length === 1) return first;
  const own = (r: Results): Invocation[] => r.invocations ?? [{ command: r.command, ...(r.commit === undefined ? {} : { commit: r.commit }), started: r.started, finishedMs: r.finishedMs, conditions: r.conditions }];
  let offset = 0;
  const blocks: BlockResult[] = [];
  const storms: BlockResult[] = [];
  const scripts: Record<string, unknown[]> = {};
  for (const r of list) {
    blocks.push(...r.blocks.map((b) => ({ ...b, rep: b.rep + offset })));
    storms.push(...r.storms.map((b) => ({ ...b, rep: b.rep + offset })));
    offset += Math.max(0, ...r.blocks.map((b) => b.rep), ...r.storms.map((b) => b.rep));
    for (const [key, runs] of Object.entries(r.scripts)) scripts[key] = [...(scripts[key] ?? []), ...(runs as unknown[])];
  }
  const differ = SAME.filter((k) => list.some((r) => JSON.stringify(r[k]) !== JSON.stringify(first[k])));
  return {
    ...first,
    finishedMs: list.reduce((a, r) => a + r.finishedMs, 0),
    invocations: list.flatMap(own),
    iperf: list.flatMap((r) => r.iperf),
    blocks,
    storms,
    witnesses: list.flatMap((r) => r.witnesses),
    scripts: scripts as Scripts,
    rows: summarize(blocks),
    notes: [
      ...(differ.length > 0 ? [`the merged invocations differ in ${differ.join(', ')}: their runs are not alike`] : []),
      ...list.flatMap((r) => r.notes.map((n) => `${r.invocations === undefined ? `invocation of ${r.started.slice(11, 16)} UTC: ` : ''}${n}`)),
    ],
  };
}
