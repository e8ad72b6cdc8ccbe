/**
 * `npm run bench` — udp-chat against a naive and a batching relay and the loopback datagram
 * ceiling (iperf3), plus real line-mode clients, all on 127.0.0.1 (see bench/README.md).
 *
 *   npm run bench -- --quick          about 2 min: K = 10 and 50, one run, short steps, one witness
 *   npm run bench                     full: K = 10, 50, 200, witnesses (line mode, full-screen
 *                                     client, stopped clients), durable store, join storm, floods,
 *                                     in three rounds (each row's runs spread over the invocation);
 *                                     ends within --budget (1450 s)
 *   npm run bench -- --help           every flag (an unknown flag is refused: exit 2)
 *   npm run bench -- --render bench/results/<file>.json [--docs | --docs-out PATH]   re-render only
 *   npm run bench -- --render A.json,B.json --docs   one report of several invocations' runs
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, release } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DATA_OVERHEAD, encodeEntry } from '../lib/protocol/index.js';
import { killAll } from './child.js';
import { runBlock, runFixedTogether, type BlockOptions, type BlockResult, type FixedResult } from './blocks.js';
import { median } from './histogram.js';
import { IPERF_HINT, iperfAvailable, runIperf, type IperfResult } from './iperf.js';
import { cli, messageText, Options, type Flags } from './load-common.js';
import { cores, cpuModel, processTimes, topProcesses } from './proc-stats.js';
import { markdown } from './report-markdown.js';
import { mergeResults, readResults, summarize, textTable, type Results, type Scripts } from './report.js';
import { CRITERIA } from './search.js';
import { durableLoad, flood, roomsCore, sealCosts, storeRestart, tuiLoad } from './scripts.js';
import { buildLooksStale, isUdpChat, LIFTED_FLAGS, ROOT, udpChatProblem, type TargetName } from './targets.js';
import { failed, plainWitness, stoppedWitness, type WitnessResult } from './witness.js';

const TARGETS: readonly TargetName[] = ['udpchat', 'sealed', 'durable', 'relay', 'batch', 'stock'];
/** The systems of the target "CPU per delivery at 100 msg/s ≤ 1.2× the naive relay's" (and the batching relay beside). */
const CPU_COMPARED: readonly TargetName[] = ['udpchat', 'relay', 'batch'];

/** Every flag `npm run bench` takes (README's bench section lists the same). */
export const RUN_FLAGS: Flags = {
  '--quick': { help: 'about 2 min, to check the bench works: K = 10 and 50, one run, 0.5 s steps, one witness' },
  '--peers': { arg: '10,50,200', numbers: true, help: 'room sizes K (quick: 10,50)' },
  '--targets': { arg: 'LIST', help: `the systems measured (${TARGETS.join(',')})` },
  '--durable-peers': { arg: '50', numbers: true, help: 'K at which the durable server gets its row' },
  '--sealed-peers': { arg: '50', numbers: true, help: 'K at which the sealed server gets its row' },
  '--reps': { arg: 'N', numbers: true, help: 'rounds: runs of each block and of each real-client phase (full 3, quick 1)' },
  '--large-reps': { arg: 'N', numbers: true, help: 'runs at K ≥ 200 (2)' },
  '--step-seconds': { arg: 'S', numbers: true, help: 'length of a rate-search step (full 2, quick 0.5)' },
  '--cpu-seconds': { arg: 'S', numbers: true, help: 'the 100 msg/s step of udp-chat in memory and the relays, where CPU per delivery is compared (full 8, quick 1)' },
  '--cpu-warm-seconds': { arg: 'S', numbers: true, help: 'the warm-up before that step, the same for the three (full 6, quick 1)' },
  '--bisections': { arg: 'N', numbers: true, help: 'bisections after the first failing step (1)' },
  '--loadgens': { arg: 'N', numbers: true, help: 'load generator processes (2)' },
  '--budget': { arg: 'SECONDS', numbers: true, help: 'hard limit on the whole run (full 1450, quick 150)' },
  '--storms': { arg: 'N', numbers: true, help: 'join storms of 1000 peers per system (full 2, quick 0)' },
  '--flood-rates': { arg: '20000,100000', numbers: true, help: "the flood rows' datagrams/s (full mode)" },
  '--no-flood': { help: 'no flood rows' },
  '--no-witness': { help: 'no real clients (join --plain, full-screen, stopped)' },
  '--no-tui': { help: 'no full-screen client' },
  '--no-stall': { help: 'no stopped client' },
  '--stall': { help: 'quick mode: the stopped client (9 s) too' },
  '--docs': { help: 'write docs/performance.md (full mode does unless --no-docs)' },
  '--no-docs': { help: 'do not write docs/performance.md' },
  '--docs-out': { arg: 'PATH', help: 'write the document there instead' },
  '--render': { arg: 'PATH[,PATH…]', help: 're-render a saved bench/results/<file>.json (runs nothing); several, comma-separated: one report of all their runs' },
};

/** The check beyond the flag table: every --targets name known. */
export function checkTargets(o: Options): string | undefined {
  const bad = o.string('--targets', '').split(',').filter((t) => t !== '' && !TARGETS.includes(t as TargetName));
  return bad.length > 0 ? `--targets: unknown ${bad.join(', ')} (${TARGETS.join(', ')})` : undefined;
}

// Imported by a spec (RUN_FLAGS, checkTargets), it reads no command line and runs nothing.
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const argv = isMain ? process.argv.slice(2) : [];
const opts = isMain ? cli('npm run bench --', RUN_FLAGS, { argv, check: checkTargets }) : new Options(new Map(), []);
const has = (f: string): boolean => opts.has(f);
const quick = has('--quick');
const TEXT_BYTES = 48;

const plan = {
  peers: opts.numbers('--peers', quick ? '10,50' : '10,50,200'),
  targets: opts.string('--targets', TARGETS.join(',')).split(',') as TargetName[],
  /** K at which the durable server gets its row (issue 9 asks for K = 50). */
  durablePeers: opts.numbers('--durable-peers', '50'),
  /** K at which the sealed server gets its row (issue 10's targets are at K = 50). */
  sealedPeers: opts.numbers('--sealed-peers', '50'),
  reps: opts.number('--reps', quick ? 1 : 3),
  /** Runs at K ≥ 200 (the slowest blocks): two, so that the budget gives K = 10 and 50 their third. */
  largeReps: opts.number('--large-reps', 2),
  stepSeconds: opts.number('--step-seconds', quick ? 0.5 : 2),
  drainMs: quick ? 800 : 2000,
  factor: 2,
  bisections: opts.number('--bisections', 1),
  fixedSeconds: quick ? 1 : 3,
  /** The 100 msg/s step where CPU per delivery is compared (udp-chat in memory and the relays, K ≤ 50): long, so the figure is stable. */
  cpuSeconds: opts.number('--cpu-seconds', quick ? 1 : 8),
  idleSeconds: quick ? 0.5 : 1,
  warmSeconds: quick ? 1 : 2,
  /**
   * The warm-up of the rows where CPU per delivery is compared: long enough that V8 has compiled
   * each server's per-message code (a 2 s warm-up is only 200 messages at K = 200; perf14 counted
   * 15% of udp-chat's CPU at K = 10 in compilation during an 8 s step after it).
   */
  cpuWarmSeconds: opts.number('--cpu-warm-seconds', quick ? 1 : 6),
  loadgens: opts.number('--loadgens', 2),
  stormPeers: 1000,
  /** Join storms per system (cleartext and sealed): two each fit the budget beside the rest. */
  stormReps: opts.number('--storms', quick ? 0 : 2),
  /** Runs of flood.ts (≈ 65 s each) and of the client stopped 9 s (≈ 20 s); the 60 s stop runs once (≈ 90 s). */
  floodRuns: 2,
  stopped9Runs: quick ? 1 : 2,
  iperfSeconds: quick ? 1 : 2,
  witness: !has('--no-witness'),
  tui: !quick && !has('--no-tui') && !has('--no-witness'),
  stall: quick ? has('--stall') : !has('--no-stall'),
  /** Issue 10's flood rows (bench/flood.ts, 4 s a row), full mode. */
  floodRates: quick || has('--no-flood') ? [] : opts.numbers('--flood-rates', '20000,100000'),
  budgetMs: opts.number('--budget', quick ? 150 : 1450) * 1000,
  docs: has('--docs') || has('--docs-out') || (!quick && !has('--no-docs')),
};
const FLOOD_SECONDS = 4;
/**
 * Wall time a phase is expected to take (s; the full run of 2026-12-03 18:29 on a quiet machine),
 * to share the budget between each round's rate searches and its phases; a phase starts only if
 * 1.5 × that + 15 s fits in what is left of the budget.
 */
const EXPECTED_S = {
  witness10: 12,
  witness50: 22,
  witness50At1000: 25,
  tui: 28,
  storm: 5,
  sealedStorm: 9,
  stopped9: 20,
  stopped60: 90,
  durableLoad: 25,
  restart: 2,
  seal: 5,
  rooms: 9,
  iperf: plan.iperfSeconds + 2,
  // A row: the flood, 3 s after it, two members joining; 2 + 3 × rates rows.
  flood: 8 * (2 + 3 * plan.floodRates.length),
};
const sealedRun = plan.targets.includes('sealed');

/**
 * The round of each run of a phase run `runs` times in `rounds` rounds: spread over them, the first
 * and the last round first (one run: the middle round).
 */
export function spreadRuns(runs: number, rounds: number): number[] {
  if (runs <= 0 || rounds <= 0) return [];
  if (runs === 1) return [Math.ceil(rounds / 2)];
  return Array.from({ length: runs }, (_, i) => 1 + Math.round((i * (rounds - 1)) / (runs - 1)));
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 }).split('\n')[0]?.trim() ?? '';
  } catch {
    return `no ${cmd}`;
  }
}

/** The code measured: the short commit, and whether lib/, bin/ or bench/ had changes not committed ('unknown' outside a git checkout). */
function measuredCommit(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'lib', 'bin', 'bench') === '' ? '' : ' + uncommitted changes'}`;
  } catch {
    return 'unknown';
  }
}

/** Size of a DATA datagram carrying one bench message (what iperf3 is asked to send). */
function datagramBytes(): number {
  const text = messageText(1_000_000_000, 123, 1234, 1, TEXT_BYTES);
  return DATA_OVERHEAD + encodeEntry({ kind: 'msg', seq: 1, time: Date.now(), nick: 'p123', target: 0, text }).length;
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]!.toFixed(1)}] ${line}\n`);
}

function describe(b: BlockResult): string {
  const best = b.search?.best;
  const fail = b.search?.firstFail;
  const parts = [`${b.target} K=${b.peers} run ${b.rep}:`];
  if (b.join !== undefined) parts.push(`join ${b.join.online}/${b.peers} in ${Math.round(b.join.allOnlineMs)} ms`);
  if (b.fixed !== undefined) {
    const steady = Number.isFinite(b.fixed.cpuUsPerDeliverySteady) ? ` (steady ${b.fixed.cpuUsPerDeliverySteady.toFixed(2)})` : '';
    const idle = b.idleCpuMsPerSec !== undefined ? `, idle ${b.idleCpuMsPerSec.toFixed(2)} ms/s` : '';
    parts.push(`@${b.fixed.rate} for ${(b.fixed.windowMs / 1000).toFixed(0)} s: p99 ${b.fixed.latency.p99Ms.toFixed(2)} ms, ${b.fixed.cpuUsPerDelivery.toFixed(2)} µs/delivery${steady}${idle}${b.fixed.pass ? '' : ` (${b.fixed.reason})`}`);
  }
  if (best !== undefined) parts.push(`max ${best.rate} msg/s (${Math.round(best.deliveriesPerSec)} deliveries/s, p99 ${best.latency.p99Ms.toFixed(1)} ms, ${best.cpuUsPerDelivery.toFixed(2)} µs/delivery)`);
  if (fail !== undefined) parts.push(`fails at ${fail.rate}: ${fail.reason} [server ${Math.round(100 * fail.serverWindowCpuShare)}% / load gens ${fail.loadgenWindowCores.toFixed(2)} cores / others ${fail.otherWindowCores.toFixed(2)} cores]`);
  const steps = b.search?.steps ?? [];
  if (steps.length > 0) parts.push(`{others ${median(steps.map((s) => s.otherCores)).toFixed(2)} cores}`);
  if (b.error !== undefined) parts.push(`ERROR ${b.error}`);
  parts.push(`[${(b.wallMs / 1000).toFixed(1)} s]`);
  return parts.join(' ');
}

function blockOptions(target: TargetName, k: number, deadline: number, prev: number | undefined): BlockOptions {
  // A stock server slows each user to 10 msg/s (burst 20): no point searching far past K × 50.
  const cap = target === 'stock' ? k * 50 : 200_000;
  return {
    search: true,
    // Later runs start just under the previous max: fewer steps, the same bisection near it.
    start: Math.min(cap / 2, prev !== undefined ? prev * 0.7 : Math.max(10, Math.min(2000, 20_000 / k))),
    factor: plan.factor,
    bisections: plan.bisections,
    stepSeconds: plan.stepSeconds,
    drainMs: plan.drainMs,
    fixedRate: 100,
    // Its latency at 100 msg/s, alone; CPU per delivery is compared side by side (togetherOptions).
    fixedSeconds: plan.fixedSeconds,
    idleSeconds: 0,
    // The same warm-up for every system: ~20,000 deliveries/s, and within a stock server's per-user limit.
    warmRate: Math.round(Math.min(1000, 20_000 / k, target === 'stock' ? 8 * k : Infinity)),
    warmSeconds: plan.warmSeconds,
    maxRate: cap,
    maxDeliveriesPerSec: 5_000_000,
    deadline,
    joinSpreadMs: 1000,
    loadgens: plan.loadgens,
  };
}

/** The 100 msg/s step where CPU per delivery is compared, the systems side by side (runFixedTogether): longer, after a longer warm-up, with the idle window after it. */
function togetherOptions(target: TargetName, k: number, deadline: number): BlockOptions {
  return { ...blockOptions(target, k, deadline, undefined), fixedSeconds: plan.cpuSeconds, warmSeconds: plan.cpuWarmSeconds, idleSeconds: plan.idleSeconds };
}

/** The blocks of round `round`: every K and system once (K ≥ 200 in the first --large-reps rounds), the stock rows last so that a budget cut costs them first. */
function roundBlocks(targets: readonly TargetName[], round: number): [TargetName, number][] {
  const ks = plan.peers.filter((k) => k < 200 || round <= plan.largeReps);
  const at = (k: number): TargetName[] => targets.filter((t) => (t !== 'durable' || plan.durablePeers.includes(k)) && (t !== 'sealed' || plan.sealedPeers.includes(k)));
  return [...ks.flatMap((k) => at(k).filter((t) => t !== 'stock').map((t): [TargetName, number] => [t, k])), ...ks.flatMap((k) => at(k).filter((t) => t === 'stock').map((t): [TargetName, number] => [t, k]))];
}

/**
 * Wall time a block is expected to take (s; the full run of 2026-12-03 17:53, with the compared
 * systems' 100 msg/s step as short as the others': their CPU step runs side by side, TOGETHER_S
 * for each K of a round).
 */
const BLOCK_S: Record<TargetName, number> = { udpchat: 15, relay: 15, batch: 19, sealed: 14, durable: 14, stock: 15 };
const TOGETHER_S = 22;

const fits = (deadline: number, seconds: number): boolean => Date.now() + seconds * 1000 <= deadline;

/** A phase: what it is called, its expected wall time (s), and what it runs. */
interface Phase {
  name: string;
  expected: number;
  run: () => Promise<void>;
}

/** Runs the phases in order, each only if 1.5 × its expected time + 15 s fits before the deadline (else a note). */
async function runPhases(list: readonly Phase[], deadline: number, notes: string[]): Promise<void> {
  for (const p of list) {
    if (fits(deadline, 1.5 * p.expected + 15)) await p.run();
    else notes.push(`not run (time budget): ${p.name}`);
  }
}

const expectedS = (list: readonly Phase[]): number => list.reduce((a, p) => a + p.expected, 0);

async function main(): Promise<void> {
  const t0 = Date.now();
  const deadline = t0 + plan.budgetMs;
  const notes: string[] = [];
  const load0 = loadavg();
  const procs0 = processTimes();
  let targets = plan.targets;
  const problem = udpChatProblem();
  if (problem !== undefined) {
    log(`udp-chat skipped: ${problem}`);
    notes.push(`udp-chat not measured: ${problem}`);
    targets = targets.filter((t) => !isUdpChat(t));
  } else if (buildLooksStale()) {
    log('warning: lib/ has changes newer than dist/ — run `npm run build` to measure the latest code');
    notes.push('dist/ looked older than lib/ when this ran');
  }
  const fds = Number(version('sh', ['-c', 'ulimit -n']));
  const needFds = Math.max(...plan.peers, plan.stormReps > 0 ? plan.stormPeers : 0) + 200;
  if (Number.isFinite(fds) && fds < needFds) notes.push(`ulimit -n was ${fds}, below the ${needFds} descriptors the largest K needs`);
  const haveIperf = await iperfAvailable();
  if (!haveIperf) log(IPERF_HINT);
  const size = datagramBytes();
  const iperf: IperfResult[] = [];
  const iperfOnce = async (): Promise<void> => {
    if (!haveIperf || Date.now() > deadline) return;
    try {
      const r = await runIperf(size, plan.iperfSeconds);
      iperf.push(r);
      log(`iperf3 ${size} B: ${Math.round(r.receivedPerSec)} datagrams/s received (sent ${Math.round(r.sentPerSec)}/s, loss ${r.lossPercent.toFixed(2)}%)`);
    } catch (e) {
      log(`iperf3 failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const udp = targets.includes('udpchat');
  const blocks: BlockResult[] = [];
  const storms: BlockResult[] = [];
  const witnesses: WitnessResult[] = [];
  const scripts: Scripts = {};
  const script = <K extends keyof Scripts>(key: K, name: string, expected: number, run: () => Promise<NonNullable<Scripts[K]>[number]>): Phase => ({
    name,
    expected,
    run: async () => {
      const r = await run();
      ((scripts[key] ??= []) as unknown[]).push(r);
      log(`${name}: ${r.error ?? (Array.isArray(r.result) && r.result.length > 3 ? `${r.result.length} rows` : JSON.stringify(r.result))}`);
    },
  });
  const plain = (k: number, rate: number): Phase => ({
    name: `${k} × join --plain at ${rate} msg/s`,
    expected: k > 10 ? (rate > 100 ? EXPECTED_S.witness50At1000 : EXPECTED_S.witness50) : EXPECTED_S.witness10,
    run: async () => {
      const w = await plainWitness(k, rate, quick ? 2 : 4).catch((e: unknown) => failed('plain', k, rate, 0, e instanceof Error ? e.message : String(e)));
      witnesses.push(w);
      log(`witness ${k} × join --plain @${rate}: ${w.error ?? `p50 ${w.latency?.p50Ms.toFixed(1)} p99 ${w.latency?.p99Ms.toFixed(1)} max ${w.latency?.maxMs.toFixed(1)} ms, ${w.delivered}/${w.expected} lines, client CPU ${Math.round(100 * w.clientCpuShare)}%, bench ${Math.round(100 * w.benchCpuShare)}%; ${w.detail}`}`);
    },
  });
  // A real client stopped while others send 2,000 msg/s of 900-byte messages, to a durable server.
  const stopped = (stopFor: number): Phase => ({
    name: `the real client stopped for ${stopFor} s`,
    expected: stopFor > 9 ? EXPECTED_S.stopped60 : EXPECTED_S.stopped9,
    run: async () => {
      const seconds = stopFor + 5;
      const w = await stoppedWitness(10, 2000, seconds, 2, stopFor, 900).catch((e: unknown) => failed('stopped', 10, 2000, seconds, e instanceof Error ? e.message : String(e)));
      witnesses.push(w);
      log(`real client stopped ${stopFor} s: ${w.error ?? `${w.delivered}/${w.expected} messages shown; ${w.detail}; notices: ${JSON.stringify(w.notices)}`}`);
    },
  });
  // Cleartext and sealed alternate (issue 10: the sealed handshakes of 1000 peers ≤ 2× cleartext's).
  const storm = (target: TargetName): Phase => ({
    name: `join storm of ${target}`,
    expected: target === 'sealed' ? EXPECTED_S.sealedStorm : EXPECTED_S.storm,
    run: async () => {
      const rep = storms.filter((b) => b.target === target).length + 1;
      const b = await runBlock(target, plan.stormPeers, rep, { ...blockOptions(target, plan.stormPeers, deadline, undefined), search: false, fixedRate: 0 });
      storms.push(b);
      log(`join storm ${describe(b)}${b.join !== undefined ? ` — ${b.join.detail}` : ''}`);
    },
  });
  const rounds = plan.reps;
  const times = (n: number, round: number): number => spreadRuns(n, rounds).filter((r) => r === round).length;
  const repeat = (n: number, phase: () => Phase[]): Phase[] => Array.from({ length: n }, phase).flat();
  /**
   * The phases of a round whose rows carry targets, after its rate searches: the real clients,
   * the restart, and (spread over the rounds: first and last) the join storms, the client stopped
   * 9 s and the floods; the 60 s stop once, in the middle round.
   */
  const roundPhases = (round: number): Phase[] => {
    if (!udp) return [];
    const stall = plan.stall && plan.witness;
    return [
      ...(plan.witness ? [plain(10, 100), ...(quick ? [] : [plain(50, 100)])] : []),
      ...(plan.tui ? [script('tui', `full-screen client (tui-load.ts) run ${round}`, EXPECTED_S.tui, () => tuiLoad([100, 1000, 5000], 5))] : []),
      ...(quick ? [] : [script('restart', `store-restart.ts run ${round}`, EXPECTED_S.restart, () => storeRestart(100_000))]),
      ...repeat(times(plan.stormReps, round), () => (['udpchat', 'sealed'] as const).filter((t) => targets.includes(t)).map(storm)),
      ...(stall ? repeat(times(plan.stopped9Runs, round), () => [stopped(9)]) : []),
      ...(stall && !quick ? repeat(times(1, round), () => [stopped(60)]) : []),
      ...(plan.floodRates.length > 0 ? repeat(times(plan.floodRuns, round), () => [script('flood', 'flood.ts', EXPECTED_S.flood, () => flood(plan.floodRates, FLOOD_SECONDS))]) : []),
    ];
  };
  // Only figures, no targets: last, so a run short of time loses these.
  const lastPhases: Phase[] = [
    ...(plan.witness && udp && !quick ? [plain(10, 1000), plain(50, 1000)] : []),
    ...(!quick && udp ? [script('durableLoad', 'durable-load.ts', EXPECTED_S.durableLoad, () => durableLoad(50, [100, 1000], 4))] : []),
    ...(sealedRun ? [script('seal', 'seal-costs.ts', EXPECTED_S.seal, sealCosts)] : []),
    ...(!quick && udp ? [script('rooms', 'rooms-core.ts', EXPECTED_S.rooms, () => roomsCore(2))] : []),
  ];
  const phasesFrom = (round: number): number => Array.from({ length: rounds - round + 1 }, (_, i) => expectedS(roundPhases(round + i))).reduce((a, x) => a + x, 0) + expectedS(lastPhases) + EXPECTED_S.iperf * (rounds - round + 2);
  log(`plan: K ${plan.peers.join(',')} × ${targets.join(',')} in ${rounds} rounds (each: every system's rate search once, then one run of each real-client, restart … phase), ${plan.loadgens} load generator processes, budget ${plan.budgetMs / 1000} s, ≈ ${Math.round(phasesFrom(1))} s of phases expected${plan.reps > plan.largeReps ? `; K ≥ 200: ${plan.largeReps} runs` : ''}`);
  const skipped: string[] = [];
  const bestSoFar = new Map<string, number>();
  for (let round = 1; round <= rounds; round++) {
    await iperfOnce();
    // This round's share of what the phases leave, by its blocks' expected time: a round that ran late leaves the next ones less.
    const weight = (r: number): number => roundBlocks(targets, r).reduce((a, [t]) => a + BLOCK_S[t], 0) + TOGETHER_S * new Set(roundBlocks(targets, r).map(([, k]) => k)).size;
    const share = weight(round) / Array.from({ length: rounds - round + 1 }, (_, i) => weight(round + i)).reduce((a, x) => a + x, 0);
    const roundEnd = Date.now() + Math.max(0, deadline - Date.now() - (phasesFrom(round) + 20) * 1000) * share;
    let together: { k: number; results: Map<TargetName, FixedResult> } | undefined;
    for (const [target, k] of roundBlocks(targets, round)) {
      if (Date.now() >= roundEnd) {
        skipped.push(`${target} K=${k} run ${round}`);
        continue;
      }
      // CPU per delivery at 100 msg/s: the compared systems of this K side by side, before their blocks.
      if (CPU_COMPARED.includes(target) && together?.k !== k) {
        const side = roundBlocks(targets, round).filter(([t, kk]) => kk === k && CPU_COMPARED.includes(t)).map(([t]) => t);
        together = { k, results: await runFixedTogether(side, k, (t) => togetherOptions(t, k, deadline)) };
        log(`K=${k} run ${round}, side by side at 100 msg/s: ${[...together.results].map(([t, f]) => `${t} ${f.error ?? `${f.fixed?.cpuUsPerDeliverySteady.toFixed(2)} µs/delivery (p99 ${f.fixed?.latency.p99Ms.toFixed(2)} ms), idle ${f.idleCpuMsPerSec?.toFixed(2)} ms/s`}`).join('; ')}`);
      }
      // A block started within its round's share may end up to 30 s past it (a cut search gives a low max; the next rounds get less), never past the budget.
      const b = await runBlock(target, k, round, blockOptions(target, k, Math.min(roundEnd + 30_000, deadline), bestSoFar.get(`${target}|${k}`)));
      const side = CPU_COMPARED.includes(target) ? together?.results.get(target) : undefined;
      if (side !== undefined) {
        b.together = side;
        if (side.idleCpuMsPerSec !== undefined) b.idleCpuMsPerSec = side.idleCpuMsPerSec;
      }
      blocks.push(b);
      if (b.search?.best !== undefined) bestSoFar.set(`${target}|${k}`, b.search.best.rate);
      log(describe(b));
    }
    await runPhases(roundPhases(round), deadline, notes);
  }
  if (skipped.length > 0) notes.push(`time budget reached: ${skipped.length} blocks skipped (${skipped.join(', ')})`);
  await runPhases(lastPhases, deadline, notes);
  if (iperf.length < 2 && fits(deadline, plan.iperfSeconds + 5)) await iperfOnce();
  if (Date.now() > deadline) notes.push(`the run took ${Math.round((Date.now() - t0) / 1000)} s, past its budget of ${plan.budgetMs / 1000} s`);
  const rows = summarize(blocks);
  const ours = new Set([process.pid]);
  const res: Results = {
    mode: quick ? 'quick' : 'full',
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    commit: measuredCommit(),
    started: new Date(t0).toISOString(),
    finishedMs: Date.now() - t0,
    budgetMs: plan.budgetMs,
    machine: { cores: cores(), cpu: cpuModel(), node: process.version, kernel: release(), iperf3: haveIperf ? version('iperf3', ['--version']) : 'no iperf3' },
    conditions: {
      loadStart: load0,
      loadEnd: loadavg(),
      otherCores: median(blocks.flatMap((b) => (b.search?.steps ?? []).map((s) => s.otherCores))),
      topOthers: topProcesses(procs0, processTimes(), Date.now() - t0, ours),
    },
    criteria: CRITERIA,
    liftedFlags: LIFTED_FLAGS.map(([f, v]) => `${f} ${v}`).join(' '),
    loadgens: plan.loadgens,
    datagramBytes: size,
    stepSeconds: plan.stepSeconds,
    fixedSeconds: plan.fixedSeconds,
    cpuSeconds: plan.cpuSeconds,
    warmSeconds: plan.warmSeconds,
    cpuWarmSeconds: plan.cpuWarmSeconds,
    idleSeconds: plan.idleSeconds,
    drainMs: plan.drainMs,
    rounds: plan.reps,
    iperf,
    iperfNote: haveIperf ? '' : IPERF_HINT,
    blocks,
    storms,
    witnesses,
    scripts,
    rows,
    notes,
  };
  report(res);
}

/** Prints the summary, saves the JSON, and writes the docs when asked. */
function report(res: Results): void {
  process.stdout.write(`\n${textTable(res.rows)}\n\n`);
  for (const r of res.rows) for (const n of r.notes) process.stdout.write(`K=${r.peers} ${r.target}: ${n}\n`);
  const iperfMedian = median(res.iperf.map((i) => i.receivedPerSec));
  process.stdout.write(`iperf3 (${res.datagramBytes} B datagrams): ${Number.isFinite(iperfMedian) ? `${Math.round(iperfMedian)} datagrams/s` : 'not measured'}\n`);
  const c = res.conditions;
  process.stdout.write(`machine: load average ${c.loadStart.map((x) => x.toFixed(1)).join('/')} at the start, ${c.loadEnd.map((x) => x.toFixed(1)).join('/')} at the end; other processes ${c.otherCores.toFixed(2)} cores during the steps; busiest others: ${c.topOthers.map((p) => `${p.name} ${Math.round(100 * p.share)}%`).join(', ') || 'none'}\n`);
  for (const n of res.notes) process.stdout.write(`note: ${n}\n`);
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${res.invocations === undefined ? res.mode : `merged${res.invocations.length}`}-${res.started.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(res, null, 1));
  process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
  if (plan.docs) {
    const doc = path.resolve(opts.string('--docs-out') ?? path.join(ROOT, 'docs', 'performance.md'));
    writeFileSync(doc, markdown(res));
    process.stdout.write(`wrote ${path.relative(ROOT, doc)}\n`);
  }
  process.stdout.write(`took ${(res.finishedMs / 1000).toFixed(1)} s\n`);
}

if (isMain) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the processes the bench started`);
      killAll();
      process.exit(130);
    });
  }
  const renderFiles = opts.string('--render');
  if (renderFiles !== undefined) {
    const res = mergeResults(renderFiles.split(',').map((f) => readResults(readFileSync(f, 'utf8'))));
    // Several invocations merged: the command that merged them (each one's own is in res.invocations).
    if (res.invocations !== undefined) res.command = `npm run bench -- ${argv.join(' ')}`;
    report(res);
  } else await main();
}
