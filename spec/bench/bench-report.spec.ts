/**
 * The new pure parts of the fair bench: the batching relay's datagrams, merging several load
 * generator processes into one step, histogram transport, and the report's statistics and
 * verdicts (computed from medians, with ranges).
 */
import { expect } from 'chai';
import { packBatches, unpackBatch } from '../../bench/batch-format.js';
import type { BlockResult } from '../../bench/blocks.js';
import { Histogram, range } from '../../bench/histogram.js';
import { mergeSteps, split } from '../../bench/loadgen-group.js';
import type { StepResult } from '../../bench/loadgen-protocol.js';
import { selfTimes } from '../../bench/profile-server.js';
import { topProcesses } from '../../bench/proc-stats.js';
import { floodTargets, fmt, maxTarget, mergeResults, readResults, stat, targetLines, type Results, type Row, type Stat } from '../../bench/report.js';
import { markdown } from '../../bench/report-markdown.js';
import { parseDurableLoad, parsePipeTable, parseStoreRestart } from '../../bench/scripts.js';
import type { TargetName } from '../../bench/targets.js';
import { decode, encode, MAX_DATAGRAM } from '../../lib/protocol/index.js';

const say = (i: number, text = `m${i}`): Buffer => encode({ type: 'say', token: Buffer.alloc(16), cseq: i, target: 0, text });

describe('batching relay datagrams', () => {
  it('carries each SAY unchanged, in order, within 1200 bytes per datagram', () => {
    const msgs = Array.from({ length: 100 }, (_, i) => say(i + 1, `t=${i} `.padEnd(48, '.')));
    const batches = packBatches(msgs);
    expect(batches.length).to.be.above(1);
    for (const b of batches) expect(b.length).to.be.at.most(MAX_DATAGRAM);
    const back = batches.flatMap(unpackBatch);
    expect(back.map((b) => Buffer.from(b))).to.deep.equal(msgs);
    expect(decode(back[7]!)).to.include({ type: 'say', cseq: 8 });
  });

  it('packs at most 255 messages per datagram and stops at a truncated one', () => {
    const tiny = Array.from({ length: 300 }, () => Buffer.alloc(1));
    expect(packBatches(tiny).map((b) => unpackBatch(b).length)).to.deep.equal([255, 45]);
    const [one] = packBatches([say(1), say(2)]);
    expect(unpackBatch(one!.subarray(0, one!.length - 1))).to.have.length(1);
  });
});

describe('Histogram transport', () => {
  it('adds up histograms of several processes as if one had recorded everything', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 1; i <= 1000; i++) {
      (i % 3 === 0 ? a : b).record(i * 7);
      all.record(i * 7);
    }
    const merged = new Histogram().add(JSON.parse(JSON.stringify(a.toJSON())) as ReturnType<Histogram['toJSON']>).add(b.toJSON());
    expect(merged.summary()).to.deep.equal(all.summary());
  });
});

function part(offered: number, receivers: number, delivered: number, latencies: number[], over: Partial<StepResult> = {}): StepResult {
  const h = new Histogram();
  for (const l of latencies) h.record(l);
  return {
    type: 'step', rate: 0, seconds: 1, offered, acceptedInWindow: offered, accepted: offered, expectedDeliveries: 0, delivered, loss: 0, duplicates: 0, skipped: 0,
    earlyP50Ms: 0, lateP50Ms: 0, lastAcceptMs: 900, lastDeliveryMs: 950, datagramsIn: 10, datagramsOut: 5, latency: h.summary(),
    hist: { all: h.toJSON(), early: h.toJSON(), late: h.toJSON() }, receivers, windowMs: 1000, drainMs: 10, loadgenCpuMs: 100, loadgenCpuShare: 0.1,
    loadgenWindowCpuShare: 0.2, loopDelayP99Ms: 1, loopDelayMaxMs: 2, pacerBehind: false, errors: {}, extra: { entriesPerData: 2 }, ...over,
  };
}

describe('mergeSteps', () => {
  it('expects every message at every receiver but its sender, over all processes', () => {
    // 2 + 3 peers; 40 + 60 messages; each reaches the 4 other peers: 400 deliveries.
    const m = mergeSteps([part(40, 2, 160, [1000]), part(60, 3, 200, [3000], { loadgenWindowCpuShare: 0.9, pacerBehind: true, errors: { lost: 1 } })]);
    expect(m.offered).to.equal(100);
    expect(m.expectedDeliveries).to.equal(400);
    expect(m.delivered).to.equal(360);
    expect(m.loss).to.be.closeTo(0.1, 1e-9);
    expect(m.latency.count).to.equal(2);
    expect(m.latency.maxMs).to.equal(3);
    expect(m.loadgenWindowCpuShare).to.equal(0.9);
    expect(m.loadgenWindowCores).to.be.closeTo(1.1, 1e-9);
    expect(m.pacerBehind).to.equal(true);
    expect(m.errors).to.deep.equal({ lost: 1 });
    expect(m.extra['entriesPerData']).to.equal(2);
  });

  it('splits peers near-evenly', () => {
    expect(split(10, 3)).to.deep.equal([4, 3, 3]);
    expect(split(1, 2)).to.deep.equal([1, 0]);
  });
});

describe('report statistics', () => {
  it('gives the median with its range, ignoring missing runs', () => {
    const s = stat([3, undefined, 1, NaN, 2]);
    expect(s).to.deep.equal({ med: 2, min: 1, max: 3, n: 3 });
    expect(fmt(s)).to.equal('2 [1–3]');
    expect(fmt(stat([5]))).to.equal('5');
    expect(fmt(stat([]))).to.equal('-');
    expect(range([])).to.satisfy((r: number[]) => r.every(Number.isNaN));
  });

  const row = (target: TargetName, peers: number, cpu: number[], max: number[]): Row => {
    const none: Stat = stat([]);
    const runs = cpu.length;
    return {
      target, peers, runs, maxRate: stat(max), deliveriesPerSec: none, serverDatagramsPerSec: none, p99AtMax: none, p50At100: none, p99At100: stat([5]),
      cpuAt100: stat(cpu), idleCpu: none, cpuAtMax: none, entriesPerData: none, serverShareAtMax: none, loadgenCoresAtMax: none,
      loadgenCpuAtMax: none, gaveOut: 'server CPU', serverBoundRuns: runs, notes: [],
    };
  };

  it('computes every verdict from medians, not from the best run', () => {
    // udp-chat's best run is within 1.2× of the relay, its median is not: missed.
    const rows = [row('udpchat', 10, [10, 30, 31], [9000, 7000, 1000]), row('relay', 10, [20, 21, 22], [5000]), row('batch', 10, [15], [10_000, 12_000, 11_000])];
    const lines = targetLines(rows, []);
    const cpu = lines.find((l) => l.target.includes('K=10') && l.target.includes('CPU'))!;
    expect(cpu.verdict).to.equal('missed');
    expect(cpu.measured).to.match(/^30.0 \[10.0–31.0\] vs 21.0 \[20.0–22.0\] µs \(1.43×\)/);
    const idle = targetLines([{ ...rows[0]!, idleCpu: stat([5.7, 6.1, 5.2]) }, { ...rows[1]!, idleCpu: stat([0, 0, 0]) }], []).find((l) => l.target.includes('K=10') && l.target.includes('CPU'))!;
    expect(idle.measured).to.match(/; idle: 5.70 \[5.20–6.10\] vs 0.00 ms CPU\/s$/);
    const max = lines.find((l) => l.target.includes('K=10') && l.target.includes('max'))!;
    expect(max.measured).to.match(/^7,000 \[1,000–9,000\] vs 11,000 \[10,000–12,000\] msg\/s \(64%\)/);
    expect(max.verdict).to.equal('missed');
    expect(lines.find((l) => l.target.includes('K=50'))!.verdict).to.equal('not measured');
    expect(lines.find((l) => l.target.includes('--plain'))!.verdict).to.equal('not measured');
  });

  it('gives a max-rate verdict only where the servers that did not give out leave it decided', () => {
    const side = (r: Row, bound: boolean): Row => ({ ...r, serverBoundRuns: bound ? r.runs : 0, gaveOut: bound ? 'server CPU (3 of 3)' : 'load generator (3 of 3)', serverShareAtMax: stat([0.4]), loadgenCoresAtMax: stat([1.2]), cpuAtMax: stat([1.6]), loadgenCpuAtMax: stat([5.4]) });
    const u = (max: number, bound: boolean): Row => side(row('udpchat', 50, [1, 1, 1], [max, max, max]), bound);
    const b = (bound: boolean): Row => side(row('batch', 50, [1, 1, 1], [10_000, 10_000, 10_000]), bound);
    const verdict = (a: Row, c: Row): string => maxTarget('t', a, c, 0.7).verdict;
    expect([verdict(u(8000, true), b(true)), verdict(u(6000, true), b(true))]).to.deep.equal(['met', 'missed']);
    // udp-chat at its ceiling, the relay's max a lower bound: only "missed" is decided.
    expect([verdict(u(6000, true), b(false)), verdict(u(8000, true), b(false))]).to.deep.equal(['missed', 'not measured']);
    // The relay at its ceiling, udp-chat's max a lower bound: only "met" is decided.
    expect([verdict(u(8000, false), b(true)), verdict(u(6000, false), b(true))]).to.deep.equal(['met', 'not measured']);
    const neither = maxTarget('t', u(4900, false), b(false), 0.7);
    expect(neither.verdict).to.equal('not measured');
    expect(neither.measured).to.equal(
      "4,900 vs 10,000 msg/s (49%); not the servers' ceilings (udp-chat (in memory, limits lifted) gave out at load generator (3 of 3): server 40% of a core and 1.60 µs per delivery, load generators 1.20 cores and 5.40 µs per delivery; batching relay gave out at load generator (3 of 3): server 40% of a core and 1.60 µs per delivery, load generators 1.20 cores and 5.40 µs per delivery)",
    );
  });

  it("checks the durable server against the in-memory one (issue 9), and the full-screen client and stopped clients from their one run", () => {
    const mem = { ...row('udpchat', 50, [20], [4000, 3800, 4200]), p99At100: stat([10, 12, 11]) };
    const dur = { ...row('durable', 50, [30], [2100, 1900, 2300]), p99At100: stat([18, 17, 16]) };
    const tui = [
      { 'rate msg/s': 1000, 'viewer CPU %': 12.5 },
      { 'rate msg/s': 5000, 'viewer CPU %': 40, 'keystroke p99 ms': 45 },
    ];
    const stopped = (s: number, delivered: number, notices: number) => ({
      kind: 'stopped' as const, peers: 10, rate: 2000, seconds: s + 5, latency: undefined, delivered, expected: 28_000, clientCpuShare: NaN, benchCpuShare: NaN, notices: [], detail: `900-byte messages; 0 skipped, 0 duplicated, ${notices} notice lines`, error: undefined,
    });
    const lines = targetLines([mem, dur], [stopped(9, 28_000, 1), stopped(60, 27_000, 0)], { tui: [{ command: 'x', result: tui, error: undefined }], restart: [{ command: 'y', result: { messages: 100_000, storeBytesPerMessage: 98, openMs: 700, coreMs: 20, totalMs: 720 }, error: undefined }] });
    const find = (re: RegExp): { measured: string; verdict: string } => lines.find((l) => re.test(l.target))!;
    expect(find(/durable server, K=50: max/)).to.deep.include({ verdict: 'met', measured: '2,100 [1,900–2,300] vs 4,000 [3,800–4,200] msg/s (53%)' });
    expect(find(/durable server, K=50 at 100/)).to.deep.include({ verdict: 'missed', measured: '17.0 [16.0–18.0] vs 11.0 [10.0–12.0] ms (+6.00 ms)' });
    expect(find(/restart/)).to.deep.include({ verdict: 'met', measured: '720 ms (100,000 messages; one run)' });
    expect(find(/≤ 15% of a core/)).to.deep.include({ verdict: 'met', measured: '12.5% (one run)' });
    expect(find(/keystroke/)).to.deep.include({ verdict: 'missed', measured: '45.0 ms (one run)' });
    expect(find(/display lag/).verdict).to.equal('not measured');
    expect(find(/stopped 9 s/).verdict).to.equal('met');
    expect(find(/stopped 60 s/)).to.deep.include({ verdict: 'missed', measured: '27,000 of 28,000 shown, 0 notice line(s) (one run)' });
  });

  it('judges the full-screen client, the real --plain clients and the restart from the median of their runs, with the range', () => {
    const tui = (cpu: number, key: number) => ({ command: 'x', error: undefined, result: [{ 'rate msg/s': 1000, 'viewer CPU %': cpu }, { 'rate msg/s': 5000, 'keystroke p99 ms': key }] });
    const plain = (p99: number) => ({ kind: 'plain' as const, peers: 50, rate: 100, seconds: 4, latency: { count: 1, p50Ms: 1, p99Ms: p99, maxMs: p99, meanMs: 1 }, delivered: 1, expected: 1, clientCpuShare: 0.1, benchCpuShare: 0.1, notices: [], detail: '', error: undefined });
    const twin = { ...row('sealed', 50, [20], [4000]), p99At100: stat([10]) };
    const lines = targetLines([twin], [plain(25), plain(18), plain(40)], {
      tui: [tui(14, 20), tui(30, 35), tui(12, 31), { command: 'x', error: 'exit 1', result: undefined }],
      restart: [140, 1100, 150].map((totalMs) => ({ command: 'y', error: undefined, result: { messages: 100_000, storeBytesPerMessage: 98, openMs: totalMs - 10, coreMs: 10, totalMs } })),
    });
    const find = (re: RegExp): { measured: string; verdict: string } => lines.find((l) => re.test(l.target))!;
    expect(find(/≤ 15% of a core/)).to.deep.include({ verdict: 'met', measured: '14.0 [12.0–30.0]%' });
    expect(find(/keystroke/)).to.deep.include({ verdict: 'missed', measured: '31.0 [20.0–35.0] ms' });
    expect(find(/restart/)).to.deep.include({ verdict: 'met', measured: '150 [140–1,100] ms (100,000 messages)' });
    expect(find(/join --plain/)).to.deep.include({ verdict: 'missed' });
    expect(find(/join --plain/).measured).to.match(/^25.0 \[18.0–40.0\] vs 10.0 ms in-process sealed peers/);
  });
});

describe("the sealed targets (issue 10)", () => {
  const row = (target: TargetName, max: number, p99: number): Row => {
    const none: Stat = stat([]);
    const runs = 1;
    return {
      target, peers: 50, runs, maxRate: stat([max]), deliveriesPerSec: none, serverDatagramsPerSec: none, p99AtMax: none, p50At100: none, p99At100: stat([p99]),
      cpuAt100: none, idleCpu: none, cpuAtMax: none, entriesPerData: none, serverShareAtMax: none, loadgenCoresAtMax: none,
      loadgenCpuAtMax: none, gaveOut: 'server CPU', serverBoundRuns: runs, notes: [],
    };
  };
  const storm = (target: TargetName, ms: number, failed = 0): BlockResult =>
    ({ target, peers: 1000, join: { type: 'joined', peers: 1000, online: 1000 - failed, allOnlineMs: ms, failed, errors: {}, consistent: true, caughtUpMs: ms, detail: '' } }) as BlockResult;

  it('compares sealed with cleartext in the same run: max rate, p99 at 100 msg/s and the 1000-peer join storm (a storm with failed peers does not count)', () => {
    const lines = targetLines([row('udpchat', 1000, 8), row('sealed', 800, 7)], [], {}, [storm('udpchat', 5000), storm('sealed', 9000), storm('udpchat', 4000), storm('sealed', 12_000), storm('sealed', 1000, 3)]);
    const find = (re: RegExp): { measured: string; verdict: string } => lines.find((l) => re.test(l.target))!;
    expect(find(/sealed, K=50: max/)).to.deep.include({ verdict: 'met', measured: '800 vs 1,000 msg/s (80%)' });
    expect(find(/sealed, K=50 at 100/)).to.deep.include({ verdict: 'met', measured: '7.00 vs 8.00 ms (−1.00 ms)' });
    expect(find(/1000 peers/)).to.deep.include({ verdict: 'missed', measured: '10,500 [9,000–12,000] vs 4,500 [4,000–5,000] ms (2.33×)' });
    expect(targetLines([], [], {}, [storm('udpchat', 5000)]).find((l) => /1000 peers/.test(l.target))!.verdict).to.equal('not measured');
  });
});

describe('the flood targets (issue 10 item 7)', () => {
  it('judges each flood at the highest rate asked for, and says what the generators reached', () => {
    const r = (server: string, flood: string, asked: number, lost: number, p99: number, evicted = 'nobody'): Record<string, number | string> => ({ server, flood, 'asked /s': asked, 'sent /s': asked * 0.6, messages: 70, lost, 'p99 ms': p99, evicted });
    const lines = floodTargets([[r('cleartext', 'none', 0, 0, 5), r('cleartext', 'garbage', 20_000, 0, 9), r('cleartext', 'garbage', 100_000, 0, 1500), r('cleartext', 'join', 100_000, 0, 2500), r('sealed', 'hello', 100_000, 0, 40, 'reader3')]]);
    expect(lines.map((l) => l.verdict)).to.deep.equal(['met', 'missed', 'missed']);
    expect(lines[0]).to.deep.include({ target: 'a member under a flood of 100,000 datagrams/s (asked) of garbage (cleartext server): none lost, p99 ≤ 2 s, nobody evicted', measured: '0 of 70 lost, p99 1,500 ms, evicted: nobody; the generators sent 60,000/s (one run)' });
    expect(lines[2]!.target).to.match(/spoofed HELLO \/ HANDSHAKE1 \(sealed server\)/);
  });
});

describe('several invocations in one report', () => {
  const block = (target: TargetName, rep: number, cpu: number): BlockResult =>
    ({ target, peers: 10, rep, join: undefined, joinServerCpuMs: 0, search: undefined, fixed: { cpuUsPerDeliverySteady: cpu, latency: { p50Ms: 1, p99Ms: 2 } }, serverSummary: [], loadgenStderr: [], error: undefined, restarts: 0, wallMs: 1 }) as unknown as BlockResult;
  const stopped = (delivered: number) => ({ kind: 'stopped' as const, peers: 10, rate: 2000, seconds: 14, latency: undefined, delivered, expected: 28_000, clientCpuShare: NaN, benchCpuShare: NaN, notices: [], detail: '0 notice lines', error: undefined });
  const flood = (p99: number, evicted = 'nobody') => ({ command: 'f', error: undefined, result: [{ server: 'sealed', flood: 'hello', 'asked /s': 100_000, 'sent /s': 99_000, messages: 76, lost: 0, 'p99 ms': p99, evicted }] });
  const results = (started: string, cpus: number[], extra: Partial<Results> = {}): Results =>
    ({ mode: 'full', command: 'npm run bench', started, finishedMs: 60_000, conditions: { loadStart: [0], loadEnd: [0], otherCores: 0, topOthers: [] }, stepSeconds: 1.5, iperf: [], blocks: cpus.map((c, i) => block('udpchat', i + 1, c)), storms: [], witnesses: [], scripts: {}, rows: [], notes: ['a note'], ...extra }) as unknown as Results;

  it('reads a results file whose scripts held one object each as one run of each', () => {
    const old = JSON.stringify({ ...results('2026-12-03T17:53:52.039Z', [30]), scripts: { flood: flood(40), tui: [{ command: 't', error: undefined, result: [] }] } });
    const r = readResults(old);
    expect(r.scripts?.flood).to.have.length(1);
    expect(r.scripts?.tui).to.have.length(1);
    expect(r.rows[0]!.cpuAt100).to.deep.include({ med: 30, n: 1 });
  });

  it('takes every run of each: medians and ranges over all of them, run numbers continued, differing settings named', () => {
    const a = results('2026-12-03T17:53:52.039Z', [33, 30, 32], { witnesses: [stopped(28_000)], scripts: { flood: [flood(1956)] } });
    const b = results('2026-12-03T18:29:43.468Z', [27, 26, 28], { witnesses: [stopped(27_000)], scripts: { flood: [flood(372, 'reader')] }, stepSeconds: 2 });
    const m = mergeResults([a, b]);
    expect(m.invocations!.map((i) => i.started)).to.deep.equal([a.started, b.started]);
    expect(m.blocks.map((x) => x.rep)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(m.rows[0]!.cpuAt100).to.deep.equal({ med: 29, min: 26, max: 33, n: 6 });
    expect(m.notes).to.deep.equal(['the merged invocations differ in stepSeconds: their runs are not alike', 'invocation of 17:53 UTC: a note', 'invocation of 18:29 UTC: a note']);
    const lines = targetLines(m.rows, m.witnesses, m.scripts, m.storms);
    expect(lines.find((l) => /stopped 9 s/.test(l.target))).to.deep.include({ verdict: 'missed', measured: '28,000 of 28,000 shown, 0 notice line(s); 27,000 of 28,000 shown, 0 notice line(s) (2 runs)' });
    expect(lines.find((l) => /HELLO/.test(l.target))).to.deep.include({ verdict: 'missed', measured: '0 of 76 lost, p99 1,164 [372–1,956] ms, evicted: reader; the generators sent 99,000/s' });
    // Merged again with a third: the first two stay two invocations.
    expect(mergeResults([m, results('2026-12-03T21:15:00.000Z', [31])]).invocations).to.have.length(3);
  });
});

describe('the code measured', () => {
  const res = (started: string, commit?: string): Results =>
    readResults(JSON.stringify({ mode: 'full', command: 'npm run bench', ...(commit === undefined ? {} : { commit }), started, finishedMs: 60_000, budgetMs: 1_450_000, machine: { cores: 2, cpu: 'x', node: 'v20', kernel: 'k', iperf3: 'i' }, conditions: { loadStart: [0, 0, 0], loadEnd: [0, 0, 0], otherCores: 0, topOthers: [] }, criteria: { maxLoss: 0.001, maxP99Ms: 100, growthSlackMs: 50, growthSlackShare: 0.1, minThroughputShare: 0.9 }, liftedFlags: '', loadgens: 2, datagramBytes: 76, stepSeconds: 1.5, fixedSeconds: 3, cpuSeconds: 8, warmSeconds: 2, cpuWarmSeconds: 6, idleSeconds: 1, drainMs: 2000, rounds: 3, iperf: [], iperfNote: '', blocks: [], storms: [], witnesses: [], scripts: {}, notes: [] }));
  const header = (r: Results): string => markdown(r).split('\n').find((l) => l.startsWith('Generated by'))!;

  it('names the commit in the header, of each invocation when several are merged, and nothing for older results', () => {
    expect(header(res('2026-12-04T15:17:40.648Z', 'abc1234 + uncommitted changes'))).to.contain('on 2026-12-04, measuring commit abc1234 + uncommitted changes in 1.0 min');
    expect(header(mergeResults([res('2026-12-04T15:17:40.648Z', 'abc1234'), res('2026-12-04T16:00:00.000Z', 'def5678')]))).to.contain('at 15:17 UTC, measuring commit abc1234 (1.0 min), `npm run bench` on 2026-12-04 at 16:00 UTC, measuring commit def5678 (1.0 min)');
    expect(header(res('2026-12-04T15:17:40.648Z'))).to.contain('on 2026-12-04 in 1.0 min');
  });
});

describe('CPU per delivery side by side', () => {
  const step = (cpu: number) => ({ cpuUsPerDeliverySteady: cpu, cpuUsPerDelivery: cpu + 1, latency: { p50Ms: 1, p99Ms: 2 } });
  const block = (target: TargetName, rep: number, alone: number, together?: number): BlockResult =>
    ({ target, peers: 10, rep, join: undefined, joinServerCpuMs: 0, search: undefined, fixed: step(alone), ...(together === undefined ? {} : { together: { fixed: step(together) } }), serverSummary: [], loadgenStderr: [], error: undefined, restarts: 0, wallMs: 1 }) as unknown as BlockResult;

  it('compares the side-by-side step, gives the ratio round by round, and keeps the alone figure apart', () => {
    // Alone, the runs swing (the relay 20 → 80 µs) and would put udp-chat under the relay; side by side they move together.
    const res = { blocks: [block('udpchat', 1, 30, 45), block('relay', 1, 80, 30), block('udpchat', 2, 70, 60), block('relay', 2, 20, 40), block('udpchat', 3, 33, 48), block('relay', 3, 50, 30)], witnesses: [], scripts: {}, storms: [], notes: [] };
    const rows = readResults(JSON.stringify(res)).rows;
    const u = rows.find((r) => r.target === 'udpchat')!;
    expect(u.cpuAt100).to.deep.include({ med: 48, min: 45, max: 60 });
    expect(u.cpuAt100Alone).to.deep.include({ med: 33, min: 30, max: 70 });
    expect(u.cpuVsRelayTogether).to.deep.include({ med: 1.5, min: 1.5, max: 1.6 });
    const line = targetLines(rows, []).find((l) => l.target.includes('K=10') && l.target.includes('CPU'))!;
    expect(line.measured).to.equal('48.0 [45.0–60.0] vs 30.0 [30.0–40.0] µs (1.60×); side by side, round by round: 1.50 [1.50–1.60]×');
    expect(line.verdict).to.equal('missed');
    // Rounds on both sides of the line: said beside the verdict.
    const near = readResults(JSON.stringify({ ...res, blocks: [...res.blocks.slice(0, 4), block('udpchat', 3, 33, 33), block('relay', 3, 50, 30)] })).rows;
    expect(targetLines(near, []).find((l) => l.target.includes('K=10') && l.target.includes('CPU'))!.measured).to.contain('round by round: 1.50 [1.10–1.50]× (rounds on both sides of 1.2×)');
  });

  it('falls back to the alone step for results without a side-by-side one', () => {
    const rows = readResults(JSON.stringify({ blocks: [block('udpchat', 1, 30), block('relay', 1, 25)], witnesses: [], scripts: {}, storms: [], notes: [] })).rows;
    expect(rows.find((r) => r.target === 'udpchat')!.cpuAt100).to.deep.include({ med: 30 });
    expect(rows.find((r) => r.target === 'udpchat')!.cpuVsRelayTogether).to.deep.include({ n: 0 });
    expect(targetLines(rows, [])[0]!.measured).to.equal('30.0 vs 25.0 µs (1.20×)');
  });
});

describe('standalone bench scripts (output parsers)', () => {
  it('reads tui-load.ts\'s table by its column names', () => {
    const out = 'viewer pid 1, server pid 2\nrate msg/s | said | delivered msg/s | viewer CPU %\n       100 |   1000 |   99 |   3.5\nviewer\'s status line: x';
    expect(parsePipeTable(out)).to.deep.equal([{ 'rate msg/s': 100, said: 1000, 'delivered msg/s': 99, 'viewer CPU %': 3.5 }]);
    expect(parsePipeTable('nothing here')).to.deep.equal([]);
    // Markdown tables too (seal-costs.ts, rooms-core.ts): outer pipes and the separator row.
    expect(parsePipeTable('load 1\n| where | µs |\n| --- | --- |\n| server | 12.5 |\n')).to.deep.equal([{ where: 'server', µs: 12.5 }]);
  });

  it('reads durable-load.ts and store-restart.ts', () => {
    const load = 'in-memory 100 msg/s: 400/400 delivered, p50 2.1 ms, p99 53.3 ms\ndurable   100 msg/s: 400/400 delivered, p50 15.9 ms, p99 149.9 ms; 69 flushes/s, 102 bytes written per message (1.4 records per flush)';
    expect(parseDurableLoad(load)).to.deep.equal([
      { durable: false, rate: 100, delivered: 400, expected: 400, p50Ms: 2.1, p99Ms: 53.3 },
      { durable: true, rate: 100, delivered: 400, expected: 400, p50Ms: 15.9, p99Ms: 149.9, flushesPerSec: 69, bytesPerMessage: 102, recordsPerFlush: 1.4 },
    ]);
    const restart = '100000 messages (48-byte texts), store 9.8 MB = 98 bytes/message\nrestart: store opened and checked in 704 ms, core ready in 20 ms, total 724 ms (seq 100000)';
    expect(parseStoreRestart(restart)).to.deep.equal({ messages: 100_000, storeBytesPerMessage: 98, openMs: 704, coreMs: 20, totalMs: 724 });
    expect(parseStoreRestart('crashed')).to.equal(undefined);
  });
});

describe('topProcesses', () => {
  it('ranks other processes by CPU share, leaving out ours and reused pids', () => {
    const a = new Map([[1, { name: 'a', ms: 0 }], [2, { name: 'b', ms: 0 }], [3, { name: 'me', ms: 0 }], [4, { name: 'old', ms: 0 }]]);
    const b = new Map([[1, { name: 'a', ms: 500 }], [2, { name: 'b', ms: 900 }], [3, { name: 'me', ms: 999 }], [4, { name: 'new', ms: 999 }]]);
    expect(topProcesses(a, b, 1000, new Set([3]))).to.deep.equal([{ name: 'b[2]', share: 0.9 }, { name: 'a[1]', share: 0.5 }]);
  });
});

describe('selfTimes (profile of the measured step)', () => {
  it('adds up the self time of the samples inside the window only', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
    const p = {
      nodes: [{ id: 1, callFrame: frame('flush', 'file:///x/dist/lib/server/chat-server.js') }, { id: 2, callFrame: frame('', 'node:dgram') }],
      startTime: 1000,
      samples: [1, 2, 1, 2, 1],
      timeDeltas: [10, 10, 10, 10, 500], // at 1010, 1020, 1030, 1040, 1540
    };
    const t = selfTimes(p, 1015, 1045);
    expect([...t]).to.deep.equal([
      ['(anonymous) node:dgram:10', 20],
      ['flush dist/lib/server/chat-server.js:10', 10],
    ]);
  });
});
