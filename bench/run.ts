/**
 * `npm run bench` — throughput, latency, CPU and memory of udp-chat against a minimal relay, the
 * Python TCP seed and the loopback limit (iperf3), all on 127.0.0.1.
 *
 *   npm run bench                 full: K = 10, 50, 200, 1000, 3 alternating runs each (~20+ min)
 *   npm run bench -- --quick      under a minute: K = 10 and 200, one run, short steps, join storm
 *   options: --peers 10,50  --reps N  --targets udpchat,relay,seed  --step-seconds S  --docs / --no-docs
 *            --docs-out PATH  --no-stall  --budget SECONDS
 *   npm run bench -- --render bench/results/<file>.json [--docs | --docs-out PATH]   re-render only
 *
 * Writes a table to stdout, JSON to bench/results/, and (full mode, or --docs) docs/performance.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import path from 'node:path';
import { DATA_OVERHEAD, encodeEntry } from '../lib/protocol/index.js';
import { killAll } from './child.js';
import { runBlock, runStall, type BlockOptions, type BlockResult } from './blocks.js';
import { median } from './histogram.js';
import { IPERF_HINT, iperfAvailable, runIperf, type IperfResult } from './iperf.js';
import { messageText } from './load-common.js';
import { counterDelta, cores, cpuModel, udpCounters } from './proc-stats.js';
import { markdown, summarize, textTable, type Results } from './report.js';
import { CRITERIA } from './search.js';
import { buildLooksStale, ROOT, udpChatProblem, type TargetName } from './targets.js';

const argv = process.argv.slice(2);
const has = (f: string): boolean => argv.includes(f);
const value = (f: string): string | undefined => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = has('--quick');
const TEXT_BYTES = 48;

const plan = {
  peers: (value('--peers') ?? (quick ? '10,200' : '10,50,200,1000')).split(',').map(Number),
  targets: (value('--targets') ?? 'udpchat,relay,seed').split(',') as TargetName[],
  /** The seed runs only at these K in quick mode (its threads make big K slow to set up). */
  seedPeers: quick ? [10] : undefined,
  reps: Number(value('--reps') ?? (quick ? 1 : 3)),
  stepSeconds: Number(value('--step-seconds') ?? (quick ? 0.4 : 2)),
  drainMs: quick ? 800 : 2000,
  factor: quick ? 4 : 2,
  bisections: quick ? 1 : 3,
  fixedSeconds: quick ? 0.5 : 3,
  stormPeers: 1000,
  iperfSeconds: quick ? 1 : 2,
  stall: !quick && !has('--no-stall'),
  budgetMs: Number(value('--budget') ?? (quick ? 50 : 3600)) * 1000,
  docs: has('--docs') || has('--docs-out') || (!quick && !has('--no-docs')),
};

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
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function describe(b: BlockResult): string {
  const best = b.search?.best;
  const fail = b.search?.firstFail;
  const parts = [`${b.target} K=${b.peers} run ${b.rep}:`];
  if (b.join !== undefined) parts.push(`join ${b.join.online}/${b.peers} in ${Math.round(b.join.allOnlineMs)} ms`);
  if (best !== undefined) parts.push(`max ${best.rate} msg/s (${Math.round(best.deliveriesPerSec)} deliveries/s, p99 ${best.latency.p99Ms.toFixed(1)} ms)`);
  if (fail !== undefined) parts.push(`fails at ${fail.rate}: ${fail.reason} [window CPU: server ${Math.round(100 * fail.serverWindowCpuShare)}% / loadgen ${Math.round(100 * fail.loadgenWindowCpuShare)}%]`);
  const steps = b.search?.steps ?? [];
  if (steps.length > 0) parts.push(`{other load ${median(steps.map((s) => s.otherCores)).toFixed(2)} cores}`);
  if (b.fixed !== undefined) parts.push(`@${b.fixed.rate}: p50 ${b.fixed.latency.p50Ms.toFixed(2)} p99 ${b.fixed.latency.p99Ms.toFixed(2)} ms${b.fixed.pass ? '' : ` (${b.fixed.reason})`}`);
  if (b.error !== undefined) parts.push(`ERROR ${b.error}`);
  parts.push(`[${(b.wallMs / 1000).toFixed(1)} s]`);
  return parts.join(' ');
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const deadline = t0 + plan.budgetMs;
  const notes: string[] = [];
  const udp0 = udpCounters();
  let targets = plan.targets;
  const problem = udpChatProblem();
  if (targets.includes('udpchat') && problem !== undefined) {
    log(`udp-chat skipped: ${problem}`);
    notes.push(`udp-chat not measured: ${problem}`);
    targets = targets.filter((t) => t !== 'udpchat');
  } else if (targets.includes('udpchat') && buildLooksStale()) {
    log('warning: lib/ has changes newer than dist/ — run `npm run build` to measure the latest code');
    notes.push('dist/ looked older than lib/ when this ran');
  }
  // One socket per peer, in one process: K = 1000 needs well over 1000 descriptors.
  const fds = Number(version('sh', ['-c', 'ulimit -n']));
  const needFds = Math.max(...plan.peers, plan.stormPeers) + 200;
  if (Number.isFinite(fds) && fds < needFds) {
    log(`warning: ulimit -n is ${fds}; the load generator needs about ${needFds} descriptors (raise it with \`ulimit -n ${needFds * 2}\`)`);
    notes.push(`ulimit -n was ${fds}, below the ${needFds} descriptors the largest K needs`);
  }
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

  const blocks: BlockResult[] = [];
  const bestSoFar = new Map<string, number>();
  for (const k of plan.peers) {
    await iperfOnce();
    for (let rep = 1; rep <= plan.reps; rep++) {
      // Alternate the systems (A B C A B C …) so slow drifts of the machine hit all of them.
      for (const target of targets) {
        if (target === 'seed' && plan.seedPeers !== undefined && !plan.seedPeers.includes(k)) continue;
        if (Date.now() > deadline) {
          notes.push(`time budget reached: ${target} K=${k} run ${rep} and later blocks skipped`);
          continue;
        }
        const prev = bestSoFar.get(`${target}|${k}`);
        const o: BlockOptions = {
          search: true,
          start: prev !== undefined ? prev / 2 : Math.max(10, Math.min(2000, 20_000 / k)),
          factor: plan.factor,
          bisections: plan.bisections,
          stepSeconds: plan.stepSeconds,
          drainMs: plan.drainMs,
          fixedRate: 100,
          fixedSeconds: plan.fixedSeconds,
          maxRate: 200_000,
          maxDeliveriesPerSec: 5_000_000,
          deadline,
          joinSpreadMs: 1000,
        };
        const b = await runBlock(target, k, rep, o);
        blocks.push(b);
        if (b.search?.best !== undefined) bestSoFar.set(`${target}|${k}`, b.search.best.rate);
        log(describe(b));
      }
    }
  }
  // Quick mode has no K = 1000 block: measure the join storm on its own.
  const storms: BlockResult[] = [];
  if (!plan.peers.includes(plan.stormPeers)) {
    for (const target of targets.filter((t) => t === 'udpchat' || (!quick && t === 'relay'))) {
      if (Date.now() > deadline) break;
      const b = await runBlock(target, plan.stormPeers, 1, {
        search: false,
        start: 0,
        factor: 2,
        bisections: 0,
        stepSeconds: 0,
        drainMs: 0,
        fixedRate: 0,
        fixedSeconds: 0,
        maxRate: 0,
        maxDeliveriesPerSec: 0,
        deadline,
        joinSpreadMs: 1000,
      });
      storms.push(b);
      log(`join storm ${describe(b)}${b.join !== undefined ? ` — ${b.join.detail}` : ''}`);
    }
  }
  if (iperf.length < 2) await iperfOnce();
  // One client stops reading for 9 s during 2000 msg/s of 900-byte messages, K = 10.
  const stalls: Results['stalls'] = [];
  for (const target of targets.filter((t) => t !== 'relay')) {
    if (!plan.stall || Date.now() > deadline) break;
    const r = await runStall(target, 10, 2000, 14, 2, 9, 900).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
    stalls.push({ target, result: r });
    log(`stall ${target}: ${'error' in r ? r.error : `others ${Math.round(r.beforePerSec)}/s before, min ${Math.round(r.duringMinPerSec)}/s during; stalled after ${r.othersStalledAfterMs ?? 'never'} ms; stopped peer caught up ${r.stoppedCaughtUpMs ?? 'never'} ms after resuming (${r.stoppedDelivered}/${r.stoppedExpected}); ${r.detail}`}`);
  }

  const rows = summarize(blocks);
  const udp = counterDelta(udp0, udpCounters());
  // iperf3 -b 0 overflows its receiver on purpose: count the drops of the chat blocks only.
  for (const t of targets) {
    const bs = [...blocks, ...storms].filter((b) => b.target === t);
    const drops = bs.reduce((a, b) => a + (b.udp.RcvbufErrors ?? 0), 0);
    const inSteps = bs.flatMap((b) => [...(b.search?.steps ?? []), ...(b.fixed ? [b.fixed] : [])]).filter((s) => s.pass).reduce((a, s) => a + s.rcvbufErrors, 0);
    if (t !== 'seed') notes.push(`${t}: the kernel dropped ${drops} UDP datagrams for full receive buffers during its blocks (${inSteps} during passing steps; /proc/net/snmp RcvbufErrors, machine-wide: server, load generator and other processes alike)`);
  }
  notes.push(`whole run including iperf3: RcvbufErrors +${udp.RcvbufErrors ?? 0}, InDatagrams +${udp.InDatagrams ?? 0}`);
  const others = median(rows.map((r) => r.otherCores));
  if (others > 0.2) notes.push(`other processes used ${others.toFixed(2)} cores on average during the steps: the machine was shared, treat the numbers as lower bounds`);
  const res: Results = {
    mode: quick ? 'quick' : 'full',
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    started: new Date(t0).toISOString(),
    finishedMs: Date.now() - t0,
    machine: {
      cores: cores(),
      cpu: cpuModel(),
      node: process.version,
      kernel: release(),
      python: version('python3', ['--version']),
      iperf3: haveIperf ? version('iperf3', ['--version']) : 'no iperf3',
    },
    criteria: CRITERIA,
    datagramBytes: size,
    stepSeconds: plan.stepSeconds,
    drainMs: plan.drainMs,
    iperf,
    iperfNote: haveIperf ? '' : IPERF_HINT,
    blocks,
    storms,
    stalls,
    rows,
    udp,
    notes,
  };
  process.stdout.write(`\n${textTable(rows)}\n\n`);
  for (const r of rows) for (const n of r.notes) process.stdout.write(`K=${r.peers} ${r.target}: ${n}\n`);
  const iperfMedian = median(iperf.map((i) => i.receivedPerSec));
  process.stdout.write(`iperf3 (${size} B datagrams): ${Number.isFinite(iperfMedian) ? `${Math.round(iperfMedian)} datagrams/s` : 'not measured'}\n`);
  for (const s of storms) process.stdout.write(`join storm ${s.target} K=${s.peers}: all online in ${Math.round(s.join?.allOnlineMs ?? NaN)} ms, caught up in ${Math.round(s.join?.caughtUpMs ?? NaN)} ms, ${s.join?.failed ?? '?'} failed\n`);
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${res.mode}-${res.started.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(res, null, 1));
  process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
  if (plan.docs) {
    const doc = path.resolve(value('--docs-out') ?? path.join(ROOT, 'docs', 'performance.md'));
    writeFileSync(doc, markdown(res));
    process.stdout.write(`wrote ${path.relative(ROOT, doc)}\n`);
  }
  process.stdout.write(`took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the processes the bench started`);
    killAll();
    process.exit(130);
  });
}
/** `--render FILE`: print the table and write the docs again from a saved results file, measuring nothing. */
function render(file: string): void {
  const res = JSON.parse(readFileSync(file, 'utf8')) as Results;
  res.rows = summarize(res.blocks);
  process.stdout.write(`${textTable(res.rows)}\n\n`);
  for (const r of res.rows) for (const n of r.notes) process.stdout.write(`K=${r.peers} ${r.target}: ${n}\n`);
  const doc = path.resolve(value('--docs-out') ?? path.join(ROOT, 'docs', 'performance.md'));
  if (has('--docs') || has('--docs-out')) {
    writeFileSync(doc, markdown(res));
    process.stdout.write(`wrote ${path.relative(ROOT, doc)}\n`);
  }
}

const renderFile = value('--render');
if (renderFile !== undefined) render(renderFile);
else await main();
