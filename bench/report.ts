/**
 * Turning blocks into the summary: medians over repetitions per (target, K), the stdout table and
 * docs/performance.md.
 */
import { DEFAULTS } from '../lib/protocol/index.js';
import type { BlockResult } from './blocks.js';
import { median } from './histogram.js';
import type { IperfResult } from './iperf.js';
import type { StallResult } from './loadgen-protocol.js';
import { bottleneck, type Criteria, type StepRecord } from './search.js';
import type { TargetName } from './targets.js';

export interface Row {
  target: TargetName;
  peers: number;
  runs: number;
  maxRate: number;
  /** Highest passing rate whose p99 latency was at most SNAPPY_P99_MS. */
  snappyRate: number;
  acceptedPerSec: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  fixedP50Ms: number;
  fixedP99Ms: number;
  fixedMaxMs: number;
  fixedPass: string;
  cpuUsPerDelivery: number;
  /** udp-chat: room entries per DATA datagram at the best rate (packing). */
  entriesPerData: number;
  peakRssMiB: number;
  rssPerPeerKiB: number;
  joinAllOnlineMs: number;
  joinCaughtUpMs: number;
  joinFailed: number;
  /** Server and load generator CPU share (of one core, during the window) at the best rate and at the first failing step. */
  serverShareBest: number;
  loadgenShareBest: number;
  loadgenShareFail: number;
  serverShareFail: number;
  otherCores: number;
  notes: string[];
}

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  kernel: string;
  python: string;
  iperf3: string;
}

export interface Results {
  mode: 'quick' | 'full';
  command: string;
  started: string;
  finishedMs: number;
  machine: Machine;
  criteria: Criteria;
  datagramBytes: number;
  /** Step length and drain of the rate search. */
  stepSeconds: number;
  drainMs: number;
  iperf: IperfResult[];
  iperfNote: string;
  blocks: BlockResult[];
  storms: BlockResult[];
  stalls: { target: TargetName; result: StallResult | { error: string } }[];
  rows: Row[];
  udp: Record<string, number>;
  notes: string[];
}

/** A second, stricter latency bar for the table: the rate a chat still feels instant at. */
const SNAPPY_P99_MS = 50;

const med = (xs: (number | undefined)[]): number => median(xs.filter((x): x is number => x !== undefined));

export function summarize(blocks: readonly BlockResult[]): Row[] {
  const keys = [...new Set(blocks.map((b) => `${b.peers}|${b.target}`))];
  return keys.map((key) => {
    const group = blocks.filter((b) => `${b.peers}|${b.target}` === key);
    const first = group[0]!;
    const best = group.map((b) => b.search?.best);
    const fail = group.map((b) => b.search?.firstFail);
    const notes: string[] = [];
    const limits = new Map<string, number>();
    for (const b of group) {
      if (b.error !== undefined) notes.push(`run ${b.rep} failed: ${b.error}`);
      if (b.search?.capped === true) notes.push(`run ${b.rep} reached the rate cap without a failure`);
      if (b.restarts > 0) notes.push(`run ${b.rep} started over with a fresh server ${b.restarts}× after peers were cut off`);
      const f = b.search?.firstFail;
      if (f !== undefined) {
        const what = bottleneck(f);
        limits.set(what, (limits.get(what) ?? 0) + 1);
      }
    }
    const fails = group.map((b) => b.search?.firstFail).filter((f): f is StepRecord => f !== undefined);
    if (limits.size > 0) {
      const example = fails[Math.floor(fails.length / 2)];
      notes.unshift(
        `gave out at: ${[...limits].map(([w, n]) => `${w} (${n} of ${group.length})`).join(', ')}${example !== undefined ? `; e.g. at ${example.rate} msg/s: ${example.reason} [server ${pct(example.serverWindowCpuShare)}, load generator ${pct(example.loadgenWindowCpuShare)} of a core, others ${example.otherWindowCores.toFixed(1)} cores]` : ''}`,
      );
    }
    if (fails.some((f) => /FLOODING/.test(f.reason))) {
      notes.push(`each peer sends rate/${first.peers} SAY/s: past the server's per-peer hard limit (${DEFAULTS.hardRate} datagrams/s, burst ${DEFAULTS.hardBurst}, unless serve has a flag for it) the peers are cut off, so this K is capped by that limit, not by capacity`);
    }
    return {
      target: first.target,
      peers: first.peers,
      runs: group.length,
      maxRate: med(best.map((s) => s?.rate)),
      // Over all runs' steps: later runs start their search near the first run's result and never
      // try the lower rates, so a median of per-run maxima would wrongly report only the 100 msg/s step.
      snappyRate: Math.max(
        0,
        ...group
          .flatMap((b) => [...(b.search?.steps ?? []), ...(b.fixed !== undefined ? [b.fixed] : [])])
          .filter((x) => x.pass && x.latency.p99Ms <= SNAPPY_P99_MS)
          .map((x) => x.rate),
      ),
      acceptedPerSec: med(best.map((s) => s?.acceptedPerSec)),
      deliveriesPerSec: med(best.map((s) => s?.deliveriesPerSec)),
      p50Ms: med(best.map((s) => s?.latency.p50Ms)),
      p99Ms: med(best.map((s) => s?.latency.p99Ms)),
      maxMs: med(best.map((s) => s?.latency.maxMs)),
      fixedP50Ms: med(group.map((b) => b.fixed?.latency.p50Ms)),
      fixedP99Ms: med(group.map((b) => b.fixed?.latency.p99Ms)),
      fixedMaxMs: med(group.map((b) => b.fixed?.latency.maxMs)),
      fixedPass: group.map((b) => (b.fixed === undefined ? '-' : b.fixed.pass ? 'ok' : b.fixed.reason)).join(' / '),
      cpuUsPerDelivery: med(best.map((s) => s?.cpuUsPerDelivery)),
      entriesPerData: med(best.map((s) => s?.extra['entriesPerData'])),
      peakRssMiB: med(group.map((b) => (b.memEnd ?? b.memJoined)?.peakRssBytes)) / 2 ** 20,
      rssPerPeerKiB: med(group.map((b) => b.rssPerPeerBytes)) / 1024,
      joinAllOnlineMs: med(group.map((b) => b.join?.allOnlineMs)),
      joinCaughtUpMs: med(group.map((b) => b.join?.caughtUpMs ?? undefined)),
      joinFailed: Math.max(0, ...group.filter((b) => b.error === undefined).map((b) => b.join?.failed ?? b.peers)),
      serverShareBest: med(best.map((s) => s?.serverWindowCpuShare)),
      loadgenShareBest: med(best.map((s) => s?.loadgenWindowCpuShare)),
      loadgenShareFail: med(fail.map((s) => s?.loadgenWindowCpuShare)),
      serverShareFail: med(fail.map((s) => s?.serverWindowCpuShare)),
      otherCores: med(group.flatMap((b) => (b.search?.steps ?? []).map((s) => s.otherCores))),
      notes,
    };
  });
}

const n0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
const n1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
const n2 = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '-');
const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : '-');

const NAMES: Record<TargetName, string> = { udpchat: 'udp-chat', relay: 'relay', seed: 'TCP seed' };

const COLUMNS = [
  'K',
  'system',
  'max msg/s',
  `msg/s @p99≤${SNAPPY_P99_MS}ms`,
  'accepted/s',
  'deliveries/s',
  'p50/p99/max ms',
  '@100 msg/s p50/p99/max ms',
  'CPU µs/delivery',
  'msgs/DATA',
  'peak RSS MiB',
  'RSS/peer KiB',
  'join all online ms',
  'CPU at max: server/loadgen',
];

function cells(r: Row): string[] {
  return [
    String(r.peers),
    NAMES[r.target],
    n0(r.maxRate),
    n0(r.snappyRate),
    n0(r.acceptedPerSec),
    n0(r.deliveriesPerSec),
    `${n2(r.p50Ms)}/${n2(r.p99Ms)}/${n2(r.maxMs)}`,
    `${n2(r.fixedP50Ms)}/${n2(r.fixedP99Ms)}/${n2(r.fixedMaxMs)}`,
    n2(r.cpuUsPerDelivery),
    r.target === 'udpchat' ? n1(r.entriesPerData) : '-',
    n1(r.peakRssMiB),
    r.peers >= 100 ? n1(r.rssPerPeerKiB) : '-',
    `${n0(r.joinAllOnlineMs)}${r.joinFailed > 0 ? ` (${r.joinFailed} failed)` : ''}`,
    `${pct(r.serverShareBest)}/${pct(r.loadgenShareBest)}`,
  ];
}

/** Plain fixed-width table for stdout. */
export function textTable(rows: readonly Row[]): string {
  const data = [COLUMNS, ...rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...data.map((r) => (r[i] ?? '').length)));
  return data.map((r) => r.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '-';
}

export function ratioRows(rows: readonly Row[], iperfPerSec: number): string[][] {
  const ks = [...new Set(rows.map((r) => r.peers))];
  return ks.map((k) => {
    const get = (t: TargetName): Row | undefined => rows.find((r) => r.peers === k && r.target === t);
    const u = get('udpchat');
    const relay = get('relay');
    const seed = get('seed');
    return [
      String(k),
      ratio(u?.maxRate ?? NaN, relay?.maxRate ?? NaN),
      ratio(u?.deliveriesPerSec ?? NaN, relay?.deliveriesPerSec ?? NaN),
      ratio(u?.maxRate ?? NaN, seed?.maxRate ?? NaN),
      ratio(u?.deliveriesPerSec ?? NaN, seed?.deliveriesPerSec ?? NaN),
      ratio(u?.deliveriesPerSec ?? NaN, iperfPerSec),
      ratio(relay?.deliveriesPerSec ?? NaN, iperfPerSec),
    ];
  });
}

export function markdown(res: Results): string {
  const iperf = median(res.iperf.map((i) => i.receivedPerSec));
  const m = res.machine;
  const out: string[] = [];
  out.push('# Performance');
  out.push('');
  out.push(`Generated by \`${res.command}\` (${res.mode} mode) on ${res.started.slice(0, 10)}; raw numbers in \`bench/results/\`. Re-run it after changes; numbers from a ${m.cores}-core machine shared with other work are noisy, so each figure is the median of ${Math.max(...res.rows.map((r) => r.runs), 1)} run(s), with the systems measured alternately (A B C A B C).`);
  out.push('');
  out.push(`Machine: ${m.cores} cores (${m.cpu}), Linux ${m.kernel}, Node ${m.node}, ${m.python}, ${m.iperf3}.`);
  out.push('');
  out.push('## What is measured');
  out.push('');
  out.push(
    `K peers in one room, each with its own socket, all in one load generator process (bench/loadgen.ts, bench/tcp-loadgen.ts) separate from the server. Every peer sends in turn; each message carries its send time, sender and number, so every receiver measures latency and checks that each message arrives exactly once and in order. A rate passes when, after the step and a drain of ${res.drainMs / 1000} s, fewer than ${100 * res.criteria.maxLoss}% of the expected deliveries are missing, nothing is duplicated, out of order or (udp-chat, TCP) skipped, every message was accepted (acknowledged), p99 latency is at most ${res.criteria.maxP99Ms} ms, the server kept up (the last message of the step acknowledged and delivered within ${Math.round(100 / res.criteria.minThroughputShare)}% of the step's length), latency does not grow during the step (p50 of the messages sent in the last quarter ≤ that of the first quarter + max(${res.criteria.growthSlackMs} ms, ${100 * res.criteria.growthSlackShare}% of the step): no queue building up) and the load generator kept pace. Steps last ${res.stepSeconds} s. The search multiplies the rate until a step fails, then bisects. "max msg/s" is the highest passing rate; deliveries/s counts each message once per receiver (udp-chat and the relay deliver to the sender too, the seed does not).`,
  );
  out.push('');
  out.push('- **udp-chat**: `node dist/bin/udp-chat.js serve` with the per-user flood limit lifted, speaking the real protocol (cookie handshake, cseq + acks + retransmission, ordered DATA with NACK repair, heartbeats).');
  out.push('- **relay**: bench/relay.ts, ~60 lines: records addresses on JOIN, forwards every datagram to every recorded peer; no ordering, acks, repair, history or limits.');
  out.push('- **TCP seed**: the Python seed server run verbatim (threads, one blocking broadcast thread), with the same load over TCP.');
  out.push(`- **iperf3**: one UDP stream on loopback at unlimited bitrate with ${res.datagramBytes}-byte datagrams (the size of a one-message DATA).`);
  out.push('');
  out.push('## Results');
  out.push('');
  out.push(mdTable(COLUMNS, res.rows.map(cells)));
  out.push('');
  out.push(`"msg/s @p99≤${SNAPPY_P99_MS}ms" is the highest rate tried in any of the runs (search steps and the 100 msg/s step) that passed with p99 latency within ${SNAPPY_P99_MS} ms (0: none did). Latency is from the moment the load generator created a message to its delivery at each receiver (queueing in the client included). CPU µs/delivery is the server's user+system CPU (from /proc/<pid>/stat) during the step divided by deliveries made. "msgs/DATA" is how many room entries one udp-chat DATA datagram carried on average at that rate (packing). "RSS/peer" is (RSS after the join − RSS before) / K, shown for K ≥ 100 (below that, heap noise dominates). "CPU at max" is the share of one core the server and the load generator used during the window of the best passing step; the notes say which side gave out at the first failing step.`);
  out.push('');
  out.push(...targetsSection(res));
  out.push('## Ratios');
  out.push('');
  out.push(`iperf3 loopback limit: ${n0(iperf)} datagrams/s received (median of ${res.iperf.length}; ${res.iperfNote || `loss ${n2(median(res.iperf.map((i) => i.lossPercent)))}%`}).`);
  out.push('');
  out.push(mdTable(['K', 'udp-chat/relay msg/s', 'udp-chat/relay deliveries/s', 'udp-chat/TCP seed msg/s', 'udp-chat/TCP seed deliveries/s', 'udp-chat deliveries/iperf3 datagrams', 'relay deliveries/iperf3 datagrams'], ratioRows(res.rows, iperf)));
  out.push('');
  out.push('udp-chat can exceed the iperf3 datagram rate in deliveries/s because one DATA datagram carries several messages.');
  out.push('');
  const storms = [...res.storms, ...res.blocks.filter((b) => b.peers >= 1000)];
  if (storms.length > 0) {
    out.push('## Join storm');
    out.push('');
    const groups = [...new Set(storms.map((b) => `${b.target}|${b.peers}`))].map((key) => storms.filter((b) => `${b.target}|${b.peers}` === key));
    out.push(
      mdTable(
        ['system', 'K', 'runs', 'all online ms', 'all caught up ms', 'peers failed', 'server CPU ms', 'RSS/peer KiB'],
        groups.map((g) => {
          const ok = g.filter((b) => b.error === undefined || (b.join?.online ?? 0) > 0);
          return [
            NAMES[g[0]!.target],
            String(g[0]!.peers),
            `${ok.length}${ok.length < g.length ? ` (+${g.length - ok.length} failed to start)` : ''}`,
            n0(med(ok.map((b) => b.join?.allOnlineMs))),
            n0(med(ok.map((b) => b.join?.caughtUpMs ?? undefined))),
            String(Math.max(0, ...ok.map((b) => b.join?.failed ?? 0))),
            n0(med(ok.map((b) => b.joinServerCpuMs))),
            n1(med(ok.map((b) => b.rssPerPeerBytes)) / 1024),
          ];
        }),
      ),
    );
    out.push('');
    out.push('Medians over runs. The peers send their first JOIN (TCP: connect) spread evenly over one second; "all online" is when the last one got its WELCOME (relay: its own JOIN echoed; TCP: its join notice seen by another client); "caught up" is when every peer had delivered every join entry in order (relay: no datagram in flight any more); "peers failed" is the most that never got online in a run.');
    out.push('');
  }
  if (res.stalls.length > 0) {
    out.push('## One client stops reading');
    out.push('');
    out.push('K = 10; one client stops reading for a while during a steady load; deliveries/s to the other nine are counted per 250 ms.');
    out.push('');
    for (const { target, result: s } of res.stalls) {
      if ('error' in s) {
        out.push(`- **${NAMES[target]}**: not measured: ${s.error}`);
        continue;
      }
      const others =
        s.othersStalledAfterMs === null
          ? `the others kept getting at least ${n0(s.duringMinPerSec)} deliveries/s`
          : `every other client stalled ${n1(s.othersStalledAfterMs / 1000)} s after the stop (as little as ${n0(s.duringMinPerSec)} deliveries/s)`;
      const caught = s.stoppedCaughtUpMs === null ? `had ${n0(s.stoppedDelivered)} of ${n0(s.stoppedExpected)} messages by the end` : `had all ${n0(s.stoppedExpected)} messages ${n1(s.stoppedCaughtUpMs / 1000)} s after resuming`;
      out.push(
        `- **${NAMES[target]}**: ${s.rate} messages/s, ${s.detail.split(';')[0]}; client 0 stops at ${s.stopAtMs / 1000} s and resumes at ${s.resumeAtMs / 1000} s. Before: ${n0(s.beforePerSec)} deliveries/s to the others; ${others}. The stopped client ${caught}. (${s.detail.split('; ').slice(1).join('; ')})`,
      );
    }
    out.push('');
    out.push("The seed's single broadcast thread blocks in sendall() once the stopped client's socket buffers are full, so one stuck client stops the room; udp-chat never blocks on a peer: the stopped one repairs its gap with NACKs from the room log afterwards.");
    out.push('');
  }
  out.push('## Notes');
  out.push('');
  for (const r of res.rows) for (const n of r.notes) out.push(`- ${NAMES[r.target]}, K=${r.peers}: ${n}`);
  for (const n of res.notes) out.push(`- ${n}`);
  out.push('');
  return out.join('\n');
}

/** The targets of the performance issue, each with the value this run measured. */
function targetsSection(res: Results): string[] {
  const row = (target: TargetName, k: number): Row | undefined => res.rows.find((r) => r.target === target && r.peers === k);
  const lines: string[][] = [];
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? 'met' : 'missed');
  for (const k of [10, 50, 200]) {
    const u = row('udpchat', k);
    const r = row('relay', k);
    const x = u !== undefined && r !== undefined ? u.deliveriesPerSec / r.deliveriesPerSec : undefined;
    lines.push([`deliveries/s ≥ 70% of the relay's, K=${k}`, x === undefined ? '–' : `${n0(x * 100)}%`, verdict(x === undefined ? undefined : x >= 0.7)]);
  }
  for (const k of [50, 200]) {
    const u = row('udpchat', k);
    const t = row('seed', k);
    const ok = u !== undefined && t !== undefined ? u.snappyRate > t.maxRate : undefined;
    lines.push([`more messages/s than the TCP seed with p99 ≤ 50 ms (seed: at any p99), K=${k}`, u !== undefined && t !== undefined ? `${n0(u.snappyRate)} vs ${n0(t.maxRate)}` : '–', verdict(ok)]);
  }
  for (const k of [10, 50, 200, 1000]) {
    const u = row('udpchat', k);
    const t = row('seed', k);
    const x = u !== undefined && t !== undefined ? t.fixedP99Ms / u.fixedP99Ms : undefined;
    lines.push([`p99 at 100 msg/s ≥ 5× lower than the TCP seed's, K=${k}`, x === undefined ? '–' : `${n2(u!.fixedP99Ms)} vs ${n2(t!.fixedP99Ms)} ms (${n1(x)}×)`, verdict(x === undefined ? undefined : x >= 5)]);
  }
  {
    const u = row('udpchat', 50);
    const r = row('relay', 50);
    const x = u !== undefined && r !== undefined ? u.fixedP99Ms / r.fixedP99Ms : undefined;
    lines.push(['p99 at 100 msg/s ≤ 1.5× the relay\'s, K=50', x === undefined ? '–' : `${n2(u!.fixedP99Ms)} vs ${n2(r!.fixedP99Ms)} ms (${n2(x)}×)`, verdict(x === undefined ? undefined : x <= 1.5)]);
  }
  for (const k of [10, 50, 200, 1000]) {
    const u = row('udpchat', k);
    const r = row('relay', k);
    const x = u !== undefined && r !== undefined ? u.cpuUsPerDelivery / r.cpuUsPerDelivery : undefined;
    lines.push([`server CPU per delivery ≤ 1.3× the relay's, K=${k}`, x === undefined ? '–' : `${n2(u!.cpuUsPerDelivery)} vs ${n2(r!.cpuUsPerDelivery)} µs (${n2(x)}×)`, verdict(x === undefined ? undefined : x <= 1.3)]);
  }
  const storm = [...res.storms, ...res.blocks.filter((b) => b.peers >= 1000)].filter((b) => b.target === 'udpchat' && b.join !== undefined);
  if (storm.length > 0) {
    const failed = Math.max(0, ...storm.map((b) => b.join?.failed ?? b.peers));
    lines.push(['1000 peers join within a second, none lost', `${failed} failed, all online in ${n0(med(storm.map((b) => b.join?.allOnlineMs)))} ms`, verdict(failed === 0)]);
    const kib = med(storm.map((b) => b.rssPerPeerBytes)) / 1024;
    lines.push(['RSS per peer ≤ 4 KB beyond the base process (1000 peers)', `${n1(kib)} KiB (RSS; see \`npm run bench:memory\` for the heap and buffers a peer keeps)`, verdict(kib <= 4)]);
  }
  const stall = res.stalls.find((x) => x.target === 'udpchat')?.result;
  if (stall !== undefined && !('error' in stall)) {
    lines.push(['a stopped client does not slow the others', `others ≥ ${n0(stall.duringMinPerSec)}/s during the stop (${n0(stall.beforePerSec)}/s before)`, verdict(stall.othersStalledAfterMs === null && stall.duringMinPerSec >= 0.9 * stall.beforePerSec)]);
  }
  return ['## Targets', '', 'The targets of the performance issue, checked against this run (the verdict is computed, not written by hand).', '', mdTable(['target', 'measured', 'verdict'], lines), ''];
}
