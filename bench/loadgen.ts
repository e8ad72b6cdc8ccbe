/**
 * The UDP load generator of `npm run bench`, in its own process: K simulated peers in one room,
 * each with its own socket (bench/udp-peer.ts), against the udp-chat server (`--target udpchat`,
 * the real protocol through lib/protocol) or the minimal relay (`--target relay`). Every message
 * text carries its send time, sender, per-sender number and step, so each receiver measures
 * latency and checks exactly-once, in-order delivery.
 *
 * Usage (normally spawned by bench/run.ts):
 *   node --import=tsx bench/loadgen.ts --target udpchat|relay --server 127.0.0.1:PORT [--text-bytes 48]
 * Reads one JSON command per line on stdin and answers one JSON line on stdout (bench/loadgen-protocol.ts).
 */
import { performance } from 'node:perf_hooks';
import { messageText, nowUs, pace, SelfMeter, sleep, StallRecorder, StepBook, waitUntil } from './load-common.js';
import { serveCommands, type Command, type JoinResult, type Reply, type StallResult, type StepResult } from './loadgen-protocol.js';
import { Shared, type Target } from './udp-shared.js';
import { UdpPeer } from './udp-peer.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const target = option('--target', 'udpchat') as Target;
if (target !== 'udpchat' && target !== 'relay') throw new Error(`--target must be udpchat or relay, not ${target}`);
const [host = '127.0.0.1', portText = '0'] = option('--server', '127.0.0.1:0').split(':');
const port = Number(portText);
const textBytes = Number(option('--text-bytes', '48'));
const recvBufferSize = Number(option('--rcvbuf', String(1024 * 1024)));
// The server caps sessions per source IP (32 by default): spread the peers over 127.0.1.x.
const peersPerIp = Number(option('--peers-per-ip', '30'));

const QUIET_MS = 200;
const book = new StepBook();
const meter = new SelfMeter();
let shared: Shared | undefined;
const peers: UdpPeer[] = [];
const awake = new Set<UdpPeer>();
const nextI: number[] = [];
let stepNo = 0;

const ticker = setInterval(() => {
  const now = performance.now();
  for (const p of awake) if (!p.tick(now)) awake.delete(p);
}, 5);
const heartbeats = setInterval(() => {
  const now = performance.now();
  for (const p of peers) p.heartbeat(now);
}, 100);

/** Nothing received for a while (the relay: no backlog left in it). Only meaningful without heartbeats. */
function quiet(sh: Shared): boolean {
  return performance.now() - sh.lastInAt > QUIET_MS;
}

async function join(c: Extract<Command, { cmd: 'join' }>): Promise<JoinResult> {
  if (shared !== undefined) throw new Error('already joined');
  const sh = new Shared(target, host, port, c.peers, book, peersPerIp);
  shared = sh;
  const start = performance.now();
  for (let i = 0; i < c.peers; i++) {
    const p = new UdpPeer(i, sh, recvBufferSize, (q) => awake.add(q));
    peers.push(p);
    nextI.push(0);
    p.start();
    awake.add(p);
    const due = start + ((i + 1) * c.spreadMs) / c.peers;
    if (performance.now() < due) await sleep(due - performance.now());
  }
  const settled = (): boolean => peers.every((p) => p.state === 'online' || p.state === 'failed' || p.state === 'gone');
  await waitUntil(settled, c.timeoutMs);
  const online = peers.filter((p) => p.state === 'online');
  const allOnlineMs = Math.max(0, ...online.map((p) => p.onlineAt - start));
  // Caught up: every peer delivered every join entry in order (udpchat); the relay keeps no
  // order or history: everyone online and the fan-out of the JOINs over.
  const caughtUp = (): boolean =>
    target === 'relay' ? online.length === c.peers && quiet(sh) : sh.roomSeq >= c.peers && online.every((p) => p.nextSeq - 1 >= sh.roomSeq);
  await waitUntil(caughtUp, Math.max(2000, c.timeoutMs - (performance.now() - start)));
  const consistent = caughtUp();
  const caughtUpMs = consistent ? performance.now() - start : null;
  return {
    type: 'joined',
    peers: c.peers,
    online: online.length,
    allOnlineMs,
    failed: c.peers - online.length,
    errors: { ...sh.errors },
    consistent,
    caughtUpMs,
    detail: `room seq ${sh.roomSeq}; ${sh.datagramsOut} datagrams out, ${sh.datagramsIn} in, ${sh.retransmissions} retransmissions, ${sh.nacks} NACKs`,
  };
}

async function step(c: Extract<Command, { cmd: 'step' }>): Promise<StepResult> {
  const sh = shared;
  if (sh === undefined) throw new Error('join first');
  const k = ++stepNo;
  book.begin(k, c.seconds);
  const t0 = performance.now();
  sh.lastAckAt = t0;
  const before = { in: sh.datagramsIn, out: sh.datagramsOut, re: sh.retransmissions, nacks: sh.nacks, dd: sh.dataDatagrams, de: sh.dataEntries, wd: sh.wireDuplicates };
  const errorsBefore = { ...sh.errors };
  sh.ackedThisStep = 0;
  sh.ackedInWindow = 0;
  sh.inWindow = true;
  meter.reset();
  const online = peers.filter((p) => p.state === 'online');
  let offered = 0;
  const paced = await pace(c.rate, c.seconds, (n) => {
    const p = online[n % online.length];
    if (p === undefined || p.state !== 'online') return;
    const s = p.index;
    const i = (nextI[s] ?? 0) + 1;
    nextI[s] = i;
    offered++;
    p.say(messageText(nowUs(), s, i, k, textBytes), k, s, i);
  });
  sh.inWindow = false;
  const inWindow = meter.read();
  const receivers = online.filter((p) => p.state === 'online').length;
  const expected = offered * receivers;
  const drainMs = await waitUntil(() => book.delivered >= expected && online.every((p) => p.pending === 0), c.drainMs);
  const accepted = target === 'relay' ? offered : sh.ackedThisStep;
  const dd = sh.dataDatagrams - before.dd;
  const errors: Record<string, number> = {};
  for (const [name, n] of Object.entries(sh.errors)) if (n !== (errorsBefore[name] ?? 0)) errors[name] = n - (errorsBefore[name] ?? 0);
  return {
    type: 'step',
    rate: c.rate,
    seconds: c.seconds,
    offered,
    acceptedInWindow: target === 'relay' ? offered : sh.ackedInWindow,
    accepted,
    expectedDeliveries: expected,
    delivered: book.delivered,
    loss: expected > 0 ? Math.max(0, expected - book.delivered) / expected : 0,
    duplicates: book.duplicates,
    skipped: book.skipped,
    lastAcceptMs: (target === 'relay' ? t0 + paced.windowMs : sh.lastAckAt) - t0,
    lastDeliveryMs: book.lastDeliveryUs / 1000 - t0,
    datagramsIn: sh.datagramsIn - before.in,
    datagramsOut: sh.datagramsOut - before.out,
    retransmissions: sh.retransmissions - before.re,
    nacks: sh.nacks - before.nacks,
    ...book.summary(),
    windowMs: paced.windowMs,
    drainMs,
    ...meter.read(),
    loadgenWindowCpuShare: inWindow.loadgenCpuShare,
    pacerBehind: paced.behind,
    errors,
    extra: {
      receivers,
      lateDeliveries: book.late,
      entriesPerData: dd > 0 ? (sh.dataEntries - before.de) / dd : 0,
      wireDuplicates: sh.wireDuplicates - before.wd,
      unsent: online.reduce((a, p) => a + p.pending, 0),
    },
  };
}

/** Peer 0 stops (drops what it receives, sends nothing) for a while during a steady load from the others. */
async function stall(c: Extract<Command, { cmd: 'stall' }>): Promise<StallResult> {
  const sh = shared;
  if (sh === undefined) throw new Error('join first');
  await waitUntil(() => peers.every((p) => p.pending === 0), 5000);
  const k = ++stepNo;
  book.begin(k, c.seconds);
  const rec = new StallRecorder(c);
  sh.onDelivery = (r) => rec.record(r);
  const stopped = peers[0]!;
  const senders = peers.filter((p) => p !== stopped && p.state === 'online');
  const gone0 = sh.historyGone;
  const stopAt = setTimeout(() => (stopped.deaf = true), c.stopAtSeconds * 1000);
  const resumeAt = setTimeout(() => (stopped.deaf = false), (c.stopAtSeconds + c.stopSeconds) * 1000);
  let offered = 0;
  await pace(c.rate, c.seconds, (n) => {
    const p = senders[n % senders.length];
    if (p === undefined || p.state !== 'online') return;
    const i = (nextI[p.index] ?? 0) + 1;
    nextI[p.index] = i;
    offered++;
    p.say(messageText(nowUs(), p.index, i, k, c.textBytes), k, p.index, i);
  });
  const receivers = peers.filter((p) => p.state === 'online').length;
  const expected = offered * receivers;
  await waitUntil(() => book.delivered >= expected, 10_000);
  clearTimeout(stopAt);
  clearTimeout(resumeAt);
  stopped.deaf = false;
  sh.onDelivery = undefined;
  const detail = `${c.textBytes}-byte messages; peer 0 drops everything it receives and sends nothing (a frozen process); ${sh.deafDrops} datagrams dropped by it, ${sh.historyGone - gone0} entries given up (HISTORY_GONE), ${book.skipped} skipped, ${book.duplicates} duplicates or out of order`;
  return rec.result(book.delivered, expected, offered, detail);
}

async function handle(c: Command): Promise<Reply> {
  switch (c.cmd) {
    case 'join':
      return join(c);
    case 'step':
      return step(c);
    case 'settle': {
      // Let a backlog from the previous step clear, so it is not charged to the next one.
      const sh = shared;
      const ms = await waitUntil(() => peers.every((p) => p.pending === 0) && (target !== 'relay' || sh === undefined || quiet(sh)), c.maxMs);
      return { type: 'settled', ms, pending: peers.reduce((a, p) => a + p.pending, 0) };
    }
    case 'stall':
      return stall(c);
    case 'quit':
      clearInterval(ticker);
      clearInterval(heartbeats);
      for (const p of peers) p.close();
      await sleep(100);
      return { type: 'bye' };
  }
}

serveCommands(handle);
