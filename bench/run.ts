/**
 * `npm run bench` — udp-chat against a naive and a batching relay and the loopback datagram
 * ceiling (iperf3), plus real line-mode clients, all on 127.0.0.1 (see bench/README.md).
 *
 *   npm run bench -- --quick          about 2 min: K = 10 and 50, one run, short steps, one witness
 *   npm run bench                     full: K = 10, 50, 200, three alternating runs, witnesses
 *                                     (line mode, full-screen client, stopped clients), durable
 *                                     store, join storm; ends within --budget (1450 s)
 *   npm run bench -- --help           every flag (an unknown flag is refused: exit 2)
 *   npm run bench -- --render bench/results/<file>.json [--docs | --docs-out PATH]   re-render only
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, release } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DATA_OVERHEAD, encodeEntry } from '../lib/protocol/index.js';
import { killAll } from './child.js';
import { runBlock, type BlockOptions, type BlockResult } from './blocks.js';
import { median } from './histogram.js';
import { IPERF_HINT, iperfAvailable, runIperf, type IperfResult } from './iperf.js';
import { cli, messageText, Options, type Flags } from './load-common.js';
import { cores, cpuModel, processTimes, topProcesses } from './proc-stats.js';
import { markdown } from './report-markdown.js';
import { mergeResults, readResults, summarize, textTable, type Results, type Scripts } from './report.js';
import { CRITERIA } from './search.js';
import { durableLoad, flood, roomsCore, sealCosts, storeRestart, tuiLoad, type ScriptResult, type TableRow } from './scripts.js';
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
  '--reps': { arg: 'N', numbers: true, help: 'alternated runs of each block (full 3, quick 1)' },
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
  iperfSeconds: quick ? 1 : 2,
  witness: !has('--no-witness'),
  tui: !quick && !has('--no-tui') && !has('--no-witness'),
  stall: quick ? has('--stall') : !has('--no-stall'),
  /** Issue 10's flood rows (bench/flood.ts, 4 s a row), full mode. */
  floodRates: quick || has('--no-flood') ? [] : opts.numbers('--flood-rates', '20000,100000'),
  budgetMs: opts.number('--budget', quick ? 150 : 1450) * 1000,
  docs: has('--docs') || has('--docs-out') || (!quick && !has('--no-docs')),
};
/** Wall time a phase may take (s), so that none starts unless it can end within the budget. */
const FLOOD_SECONDS = 4;
const LONGEST_S = {
  witness10: 25,
  witness50: 60,
  tui: 75,
  storm: 15,
  sealedStorm: 35,
  stopped9: 50,
  stopped60: 170,
  durableLoad: 60,
  restart: 20,
  seal: 20,
  rooms: 25,
  // A row: the flood, 3 s after it, two members joining, the generators starting; 2 + 3 × rates rows.
  flood: (2 + 3 * plan.floodRates.length) * (FLOOD_SECONDS + 6),
};
const sealedRun = plan.targets.includes('sealed');
/**
 * Time kept for what follows the rate searches (witnesses, durable store, storm, stopped clients,
 * iperf3): at most 42% of the budget (609 s of the default 1,450; the phases took 368 s in the last
 * full run with one run of the real clients, ≈ 490 s with three; each starts only if its longest
 * fits in what is left).
 */
const RESERVE_MS = Math.min(
  0.42 * plan.budgetMs,
  ((plan.witness ? plan.reps * LONGEST_S.witness10 + (quick ? 0 : (plan.reps + 1) * LONGEST_S.witness50 + LONGEST_S.witness10) : 0) +
    (plan.tui ? plan.reps * LONGEST_S.tui : 0) +
    (plan.stall && plan.witness ? LONGEST_S.stopped9 + (quick ? 0 : LONGEST_S.stopped60) : 0) +
    (quick ? 0 : LONGEST_S.durableLoad + plan.reps * LONGEST_S.restart) +
    plan.stormReps * (LONGEST_S.storm + (sealedRun ? LONGEST_S.sealedStorm : 0)) +
    (sealedRun ? LONGEST_S.seal : 0) +
    (quick ? 0 : LONGEST_S.rooms) +
    (plan.floodRates.length > 0 ? LONGEST_S.flood : 0) +
    10) *
    1000,
);

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 }).split('\n')[0]?.trim() ?? '';
  } catch {
    return `no ${cmd}`;
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
    fixedSeconds: CPU_COMPARED.includes(target) ? plan.cpuSeconds : plan.fixedSeconds,
    idleSeconds: CPU_COMPARED.includes(target) ? plan.idleSeconds : 0,
    // The same warm-up for every system: ~20,000 deliveries/s, and within a stock server's per-user limit.
    warmRate: Math.round(Math.min(1000, 20_000 / k, target === 'stock' ? 8 * k : Infinity)),
    warmSeconds: CPU_COMPARED.includes(target) ? plan.cpuWarmSeconds : plan.warmSeconds,
    maxRate: cap,
    maxDeliveriesPerSec: 5_000_000,
    deadline,
    joinSpreadMs: 1000,
    loadgens: plan.loadgens,
  };
}

async function runBlocks(targets: TargetName[], deadline: number, notes: string[], iperfOnce: () => Promise<void>): Promise<BlockResult[]> {
  const blocks: BlockResult[] = [];
  const skipped: string[] = [];
  const bestSoFar = new Map<string, number>();
  // Run 1 of every K before run 2 of any: if the budget runs out, every K lost its last run
  // rather than the largest K all of its runs. Within a K the systems alternate (A B C D A B C D …)
  // so slow drifts of the machine hit all of them.
  for (let rep = 1; rep <= plan.reps; rep++) {
    await iperfOnce();
    for (const k of plan.peers.filter((x) => x < 200 || rep <= plan.largeReps)) {
      for (const target of targets.filter((t) => (t !== 'durable' || plan.durablePeers.includes(k)) && (t !== 'sealed' || plan.sealedPeers.includes(k)))) {
        if (Date.now() > deadline) {
          skipped.push(`${target} K=${k} run ${rep}`);
          continue;
        }
        const b = await runBlock(target, k, rep, blockOptions(target, k, deadline, bestSoFar.get(`${target}|${k}`)));
        blocks.push(b);
        if (b.search?.best !== undefined) bestSoFar.set(`${target}|${k}`, b.search.best.rate);
        log(describe(b));
      }
    }
  }
  if (skipped.length > 0) notes.push(`time budget reached: ${skipped.length} blocks skipped (${skipped.join(', ')})`);
  return blocks;
}

const fits = (deadline: number, seconds: number): boolean => Date.now() + seconds * 1000 <= deadline;

async function runStorms(deadline: number, notes: string[]): Promise<BlockResult[]> {
  const storms: BlockResult[] = [];
  // Cleartext and sealed alternate (issue 10: the sealed handshakes of 1000 peers ≤ 2× cleartext's).
  const kinds = (['udpchat', 'sealed'] as const).filter((t) => plan.targets.includes(t));
  for (let rep = 1; rep <= plan.stormReps; rep++) {
    for (const target of kinds) {
      if (!fits(deadline, target === 'sealed' ? LONGEST_S.sealedStorm : LONGEST_S.storm)) {
        notes.push(`not run (time budget): join storms from ${target} run ${rep} on`);
        return storms;
      }
      const b = await runBlock(target, plan.stormPeers, rep, { ...blockOptions(target, plan.stormPeers, deadline, undefined), search: false, fixedRate: 0, loadgens: plan.loadgens });
      storms.push(b);
      log(`join storm ${describe(b)}${b.join !== undefined ? ` — ${b.join.detail}` : ''}`);
    }
  }
  return storms;
}

/** A standalone script run as a phase if its longest run fits in the budget (else a note), and what it printed, logged. */
async function scriptPhase<T>(name: string, deadline: number, longest: number, notes: string[], run: () => Promise<ScriptResult<T>>): Promise<ScriptResult<T> | undefined> {
  if (!fits(deadline, longest)) {
    notes.push(`not run (time budget): ${name}`);
    return undefined;
  }
  const r = await run();
  log(`${name}: ${r.error ?? (Array.isArray(r.result) && r.result.length > 3 ? `${r.result.length} rows` : JSON.stringify(r.result))}`);
  return r;
}

async function plainRun(k: number, rate: number, deadline: number): Promise<WitnessResult> {
  if (!fits(deadline, k > 10 ? LONGEST_S.witness50 : LONGEST_S.witness10)) return failed('plain', k, rate, 0, 'not run: time budget');
  const w = await plainWitness(k, rate, quick ? 2 : 4).catch((e: unknown) => failed('plain', k, rate, 0, e instanceof Error ? e.message : String(e)));
  log(`witness ${k} × join --plain @${rate}: ${w.error ?? `p50 ${w.latency?.p50Ms.toFixed(1)} p99 ${w.latency?.p99Ms.toFixed(1)} max ${w.latency?.maxMs.toFixed(1)} ms, ${w.delivered}/${w.expected} lines, client CPU ${Math.round(100 * w.clientCpuShare)}%, bench ${Math.round(100 * w.benchCpuShare)}%; ${w.detail}`}`);
  return w;
}

/**
 * The real clients whose rows carry targets, `plan.reps` times, alternated (nothing else runs
 * meanwhile): `join --plain` at K = 10 and 50 at 100 msg/s, and the full-screen client.
 */
async function runWitnesses(deadline: number, scripts: Scripts, notes: string[]): Promise<WitnessResult[]> {
  const out: WitnessResult[] = [];
  const tui: ScriptResult<TableRow[]>[] = [];
  for (let rep = 1; rep <= plan.reps; rep++) {
    for (const k of quick ? [10] : [10, 50]) out.push(await plainRun(k, 100, deadline));
    const t = plan.tui ? await scriptPhase(`full-screen client (tui-load.ts) run ${rep}`, deadline, LONGEST_S.tui, notes, () => tuiLoad([100, 1000, 5000], 5)) : undefined;
    if (t !== undefined) tui.push(t);
  }
  if (tui.length > 0) scripts.tui = tui;
  return out;
}

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
  log(`plan: K ${plan.peers.join(',')} × ${targets.join(',')} × ${plan.reps} runs, ${plan.loadgens} load generator processes, budget ${plan.budgetMs / 1000} s (${Math.round(RESERVE_MS / 1000)} s kept for the phases after the rate searches)${plan.reps > plan.largeReps ? `; K ≥ 200: ${plan.largeReps} runs` : ''}`);
  const blocks = await runBlocks(targets, deadline - RESERVE_MS, notes, iperfOnce);
  const udp = targets.includes('udpchat');
  const scripts: Scripts = {};
  const witnesses = plan.witness && udp ? await runWitnesses(deadline, scripts, notes) : [];
  // A real client stopped while others send 2,000 msg/s of 900-byte messages, to a durable server.
  for (const stopFor of plan.stall && plan.witness && udp ? (quick ? [9] : [9, 60]) : []) {
    if (!fits(deadline, stopFor > 9 ? LONGEST_S.stopped60 : LONGEST_S.stopped9)) {
      notes.push(`not run (time budget): the real client stopped for ${stopFor} s`);
      continue;
    }
    const seconds = stopFor + 5;
    const w = await stoppedWitness(10, 2000, seconds, 2, stopFor, 900).catch((e: unknown) => failed('stopped', 10, 2000, seconds, e instanceof Error ? e.message : String(e)));
    witnesses.push(w);
    log(`real client stopped ${stopFor} s: ${w.error ?? `${w.delivered}/${w.expected} messages shown; ${w.detail}; notices: ${JSON.stringify(w.notices)}`}`);
  }
  const phase = <T>(name: string, longest: number, run: () => Promise<ScriptResult<T>>): Promise<ScriptResult<T> | undefined> => scriptPhase(name, deadline, longest, notes, run);
  /** A phase run once, as the list of its runs. */
  const phases = async <T>(name: string, longest: number, run: () => Promise<ScriptResult<T>>): Promise<ScriptResult<T>[] | undefined> => {
    const r = await phase(name, longest, run);
    return r === undefined ? undefined : [r];
  };
  if (!quick && udp) {
    scripts.restart = [];
    for (let rep = 1; rep <= plan.reps; rep++) {
      const r = await phase(`store-restart.ts run ${rep}`, LONGEST_S.restart, () => storeRestart(100_000));
      if (r !== undefined) scripts.restart.push(r);
    }
  }
  const storms = udp ? await runStorms(deadline, notes) : [];
  if (plan.floodRates.length > 0 && udp) scripts.flood = await phases('flood.ts', LONGEST_S.flood, () => flood(plan.floodRates, FLOOD_SECONDS));
  // The phases above give target rows; those below only figures, so a run short of time loses these.
  for (const k of plan.witness && udp && !quick ? [10, 50] : []) witnesses.push(await plainRun(k, 1000, deadline));
  if (!quick && udp) scripts.durableLoad = await phases('durable-load.ts', LONGEST_S.durableLoad, () => durableLoad(50, [100, 1000], 4));
  if (sealedRun) scripts.seal = await phases('seal-costs.ts', LONGEST_S.seal, sealCosts);
  if (!quick && udp) scripts.rooms = await phases('rooms-core.ts', LONGEST_S.rooms, () => roomsCore(2));
  if (iperf.length < 2 && fits(deadline, plan.iperfSeconds + 5)) await iperfOnce();
  if (Date.now() > deadline) notes.push(`the run took ${Math.round((Date.now() - t0) / 1000)} s, past its budget of ${plan.budgetMs / 1000} s`);
  const rows = summarize(blocks);
  const ours = new Set([process.pid]);
  const res: Results = {
    mode: quick ? 'quick' : 'full',
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
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
