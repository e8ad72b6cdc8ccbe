/**
 * The UDP load generator of `npm run bench`, in its own process: simulated peers (bench/udp-peer.ts),
 * each with its own socket, against the udp-chat server (`--target udpchat`), the naive relay
 * (`relay`) or the batching relay (`batch`). Several of these processes may share one room, each
 * with its own range of peers. Every message text carries its send time on the machine's monotonic
 * clock, its sender, per-sender number and step, so each receiver measures latency and checks
 * exactly-once, in-order delivery, whichever process sent it.
 *
 * Usage (normally spawned by bench/run.ts):
 *   node --import=tsx bench/loadgen.ts --target udpchat|relay|batch --server 127.0.0.1:PORT [--text-bytes 48] [--peers-per-ip 30]
 * Reads one JSON command per line on stdin and answers one JSON line on stdout (bench/loadgen-protocol.ts).
 */
import { performance } from 'node:perf_hooks';
import { cli, messageText, nowUs, pace, SelfMeter, sleep, StepBook, waitUntil } from './load-common.js';
import { serveCommands, type Command, type JoinResult, type Reply, type StepResult } from './loadgen-protocol.js';
import { shareVerifications, verifyCounts } from './shared-verify.js';
import { Shared, UdpPeer, type Target } from './udp-peer.js';

const opts = cli('node --import=tsx bench/loadgen.ts', {
  '--target': { arg: 'udpchat|relay|batch', help: 'what the peers speak to' },
  '--server': { arg: 'HOST:PORT', help: "the server's address" },
  '--text-bytes': { arg: 'N', numbers: true, help: 'chat text per message (48)' },
  '--rcvbuf': { arg: 'BYTES', numbers: true, help: "each peer's socket buffers (Linux's default, 212,992)" },
  '--peers-per-ip': { arg: 'N', numbers: true, help: 'peers per source address (30; 0: all on 127.0.0.1)' },
  '--sealed': { help: 'udp-chat peers seal (the sealed row)' },
}, { check: (o) => (/^(udpchat|relay|batch)$/.test(o.string('--target', 'udpchat')) ? undefined : '--target must be udpchat, relay or batch') });
const target = opts.string('--target', 'udpchat') as Target;
const [host = '127.0.0.1', portText = '0'] = opts.string('--server', '127.0.0.1:0').split(':');
const port = Number(portText);
const textBytes = opts.number('--text-bytes', 48);
// What Linux gives a socket by default (net.core.rmem_default).
const recvBufferSize = opts.number('--rcvbuf', 208 * 1024);
// A default server caps sessions per source IP (32) and joins per /24: spread the peers over
// 127.0.1.1–8, 127.0.2.1–8, … (Shared.bindAddress).
const peersPerIp = opts.number('--peers-per-ip', 30);
// Sealed peers (the `sealed` row): each one's client core behind the client seal layer; the
// peers of this process share the server-signature checks of identical room datagrams.
const sealed = opts.has('--sealed');
if (sealed) shareVerifications();

const QUIET_MS = 200;
const book = new StepBook();
const meter = new SelfMeter();
let shared: Shared | undefined;
const peers: UdpPeer[] = [];
const awake = new Set<{ tick(now: number): boolean }>();
const nextI = new Map<number, number>();
let stepNo = 0;

const ticker = setInterval(() => {
  const now = performance.now();
  for (const p of awake) if (!p.tick(now)) awake.delete(p);
}, 5);

function online(): UdpPeer[] {
  return peers.filter((p) => p.state === 'online');
}

/** Datagrams the peers' seal layers dropped so far, by reason (the sealed row). */
function sealDrops(): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const p of peers) for (const [k, n] of Object.entries(p.layer?.drops ?? {})) sum[k] = (sum[k] ?? 0) + n;
  return sum;
}

/** Peer p says message number i+1 of step k. */
function sayNext(p: UdpPeer, k: number, bytes: number): void {
  const i = (nextI.get(p.index) ?? 0) + 1;
  nextI.set(p.index, i);
  p.say(messageText(nowUs(), p.index, i, k, bytes));
}

async function join(c: Extract<Command, { cmd: 'join' }>): Promise<JoinResult> {
  if (shared !== undefined) throw new Error('already joined');
  const sh = new Shared(target, host, port, c.total, book, peersPerIp, (p) => awake.add(p));
  sh.sealed = sealed;
  shared = sh;
  const start = performance.now();
  for (let j = 0; j < c.peers; j++) {
    const p = new UdpPeer(c.first + j, sh, recvBufferSize);
    peers.push(p);
    p.start();
    awake.add(p);
    // Spread as if all `total` peers joined in turn over spreadMs (the processes interleave).
    const due = start + ((j + 1) * c.spreadMs) / c.peers;
    if (performance.now() < due) await sleep(due - performance.now());
  }
  const settled = (): boolean => peers.every((p) => p.state !== 'joining' && p.state !== 'idle');
  await waitUntil(settled, c.timeoutMs);
  const on = online();
  const allOnlineMs = Math.max(0, ...on.map((p) => p.onlineAt - start));
  // Caught up: every peer has the room in order up to the last join (udp-chat: room seq ≥ total,
  // the join entries); relays keep no order: everyone online and nothing in flight any more.
  const caughtUp = (): boolean => {
    if (target !== 'udpchat') return on.length === c.peers && performance.now() - sh.lastInAt > QUIET_MS;
    const top = Math.max(0, ...on.map((p) => p.delivered));
    return top >= c.total && on.every((p) => p.delivered >= top);
  };
  await waitUntil(caughtUp, Math.max(2000, c.timeoutMs - (performance.now() - start)));
  const consistent = caughtUp();
  return {
    type: 'joined',
    peers: c.peers,
    online: on.length,
    allOnlineMs,
    failed: c.peers - on.length,
    errors: { ...sh.errors },
    consistent,
    caughtUpMs: consistent ? performance.now() - start : null,
    detail: `${sh.joinEntries} join entries delivered; ${sh.datagramsOut} datagrams out, ${sh.datagramsIn} in`,
  };
}

async function step(c: Extract<Command, { cmd: 'step' }>): Promise<StepResult> {
  const sh = shared;
  if (sh === undefined) throw new Error('join first');
  const k = ++stepNo;
  book.begin(k, c.seconds);
  const t0 = performance.now();
  const t0Us = nowUs();
  sh.lastAckAt = t0;
  const before = { in: sh.datagramsIn, out: sh.datagramsOut, dd: sh.dataDatagrams, de: sh.dataEntries, ...verifyCounts };
  const drops0 = sealDrops();
  const errorsBefore = { ...sh.errors };
  const senders = online();
  for (const p of senders) p.said = 0;
  const accepted = (): number => senders.reduce((a, p) => a + p.said - p.pending, 0);
  meter.reset();
  let offered = 0;
  const paced = await pace(c.rate, c.seconds, (n) => {
    const p = senders[n % senders.length];
    if (p === undefined || p.state !== 'online') return;
    offered++;
    sayNext(p, k, textBytes);
  });
  const inWindow = meter.read();
  const acceptedInWindow = target === 'udpchat' ? accepted() : offered;
  const receivers = online().length;
  // Each receiver gets every message of the room but its own.
  const expected = (): number => c.roomOffered * receivers - offered;
  const drainMs = await waitUntil(() => book.delivered >= expected() && senders.every((p) => p.pending === 0), c.drainMs);
  const dd = sh.dataDatagrams - before.dd;
  const errors: Record<string, number> = {};
  for (const [name, n] of Object.entries(sh.errors)) if (n !== (errorsBefore[name] ?? 0)) errors[name] = n - (errorsBefore[name] ?? 0);
  const acc = target === 'udpchat' ? accepted() : offered;
  return {
    type: 'step',
    rate: c.rate,
    seconds: c.seconds,
    offered,
    acceptedInWindow,
    accepted: acc,
    expectedDeliveries: expected(),
    delivered: book.delivered,
    loss: expected() > 0 ? Math.max(0, expected() - book.delivered) / expected() : 0,
    duplicates: book.duplicates,
    skipped: book.skipped,
    lastAcceptMs: (target === 'udpchat' ? sh.lastAckAt : t0 + paced.windowMs) - t0,
    lastDeliveryMs: (book.lastDeliveryUs - t0Us) / 1000,
    datagramsIn: sh.datagramsIn - before.in,
    datagramsOut: sh.datagramsOut - before.out,
    ...book.summary(),
    receivers,
    windowMs: paced.windowMs,
    drainMs,
    ...meter.read(),
    loadgenWindowCpuShare: inWindow.loadgenCpuShare,
    pacerBehind: paced.behind,
    errors,
    extra: {
      lateDeliveries: book.late,
      entriesPerData: dd > 0 ? (sh.dataEntries - before.de) / dd : 0,
      unsent: senders.reduce((a, p) => a + p.pending, 0),
      ...(sealed ? { verifies: verifyCounts.verifies - before.verifies, verifiesShared: verifyCounts.shared - before.shared } : {}),
      ...Object.fromEntries(Object.entries(sealDrops()).map(([k, n]) => [`seal drop ${k}`, n - (drops0[k] ?? 0)]).filter(([, n]) => n !== 0)),
    },
  };
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
      const quiet = (): boolean => target === 'udpchat' || sh === undefined || performance.now() - sh.lastInAt > QUIET_MS;
      const ms = await waitUntil(() => peers.every((p) => p.pending === 0) && quiet(), c.maxMs);
      return { type: 'settled', ms, pending: peers.reduce((a, p) => a + p.pending, 0) };
    }
    case 'quit':
      clearInterval(ticker);
      for (const p of peers) p.close();
      await sleep(100);
      return { type: 'bye' };
  }
}

serveCommands(handle);
