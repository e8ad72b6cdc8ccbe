/**
 * TCP load generator for the Python seed (bench/seed-tcp.ts), driven over stdin/stdout like
 * bench/loadgen.ts. K clients, one connection each. The seed relays every recv() chunk as
 * "<nick>: <chunk>" and announces joins as "<nick> присоединился в чат" (no delimiter at all), so
 * messages are self-delimiting (`{t=… s=… i=… k=… ...}`, no 'p', no ':') and each receiver
 * demultiplexes the stream by the "p<n>: " prefixes before it counts, orders and times messages.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { SEED_HOST, SEED_PORT } from './seed-tcp.js';
import { SeedStream } from './seed-stream.js';
import { messageText, nowUs, pace, parseText, SelfMeter, sleep, StallRecorder, StepBook, waitUntil } from './load-common.js';
import { serveCommands, type Command, type JoinResult, type Reply, type StallResult, type StepResult } from './loadgen-protocol.js';

const TEXT_BYTES = 48;

interface Peer {
  index: number;
  socket: net.Socket;
  connected: boolean;
  stream: SeedStream;
  /** Highest message number delivered from each sender. */
  lastI: Int32Array;
  noticesSeen: number;
  /** Deliveries to this peer (all steps). */
  delivered: number;
}

const peers: Peer[] = [];
const book = new StepBook();
const meter = new SelfMeter();
const joinedAt = new Map<number, number>();
const nextI: number[] = [];
let stepNo = 0;
let chunksIn = 0;
let parseErrors = 0;
let onDelivery: ((receiver: number) => void) | undefined;

/** Stream bytes or messages the load generator could not make sense of (should stay 0). */
function badInput(): number {
  return parseErrors + peers.reduce((a, p) => a + p.stream.errors, 0);
}

function onMessage(p: Peer, sender: number, body: string): void {
  const m = parseText(body);
  if (m === undefined || m.s !== sender) parseErrors++;
  else deliver(p, m.s, m.i, m.k, m.t);
}

function deliver(p: Peer, s: number, i: number, k: number, t: number): void {
  const before = book.delivered + book.late;
  book.receive(p.lastI, s, i, k, t);
  if (book.delivered + book.late === before) return;
  p.delivered++;
  onDelivery?.(p.index);
}

function connectPeer(index: number, k: number): Peer {
  const socket = net.connect({ host: SEED_HOST, port: SEED_PORT });
  const p: Peer = {
    index,
    socket,
    connected: false,
    stream: new SeedStream(
      (sender, body) => onMessage(p, sender, body),
      (who) => {
        p.noticesSeen++;
        if (!joinedAt.has(who)) joinedAt.set(who, performance.now());
      },
    ),
    lastI: new Int32Array(k),
    noticesSeen: 0,
    delivered: 0,
  };
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  socket.on('connect', () => {
    p.connected = true;
    socket.write(`p${index}`);
  });
  socket.on('data', (d: string) => {
    chunksIn++;
    p.stream.push(d);
  });
  socket.on('error', () => undefined);
  return p;
}

async function join(c: Extract<Command, { cmd: 'join' }>): Promise<JoinResult> {
  const start = performance.now();
  for (let i = 0; i < c.peers; i++) {
    nextI.push(0);
    peers.push(connectPeer(i, c.peers));
    const due = start + ((i + 1) * c.spreadMs) / c.peers;
    if (performance.now() < due) await sleep(due - performance.now());
  }
  // A peer is online once another peer saw its join notice; the very first one may have had
  // nobody to see it, so it counts once it has seen the others' notices.
  const online = (): number => peers.filter((p) => joinedAt.has(p.index) || p.noticesSeen >= c.peers - 1).length;
  await waitUntil(() => online() === c.peers, c.timeoutMs);
  const last = Math.max(...peers.map((p) => joinedAt.get(p.index) ?? performance.now()));
  const n = online();
  return {
    type: 'joined',
    peers: c.peers,
    online: n,
    allOnlineMs: last - start,
    failed: c.peers - n,
    errors: badInput() > 0 ? { parseErrors: badInput() } : {},
    consistent: n === c.peers,
    caughtUpMs: n === c.peers ? last - start : null,
    detail: `${peers.filter((p) => p.connected).length} connected`,
  };
}

function sendOne(n: number, k: number, bytes: number): void {
  const s = n % peers.length;
  const i = (nextI[s] ?? 0) + 1;
  nextI[s] = i;
  peers[s]!.socket.write(`{${messageText(nowUs(), s, i, k, bytes - 2)}}`);
}

async function step(c: Extract<Command, { cmd: 'step' }>): Promise<StepResult> {
  const k = ++stepNo;
  book.begin(k, c.seconds);
  meter.reset();
  const t0 = performance.now();
  const chunks0 = chunksIn;
  const paced = await pace(c.rate, c.seconds, (n) => sendOne(n, k, TEXT_BYTES));
  const inWindow = meter.read();
  const expected = paced.created * (peers.length - 1);
  const drainMs = await waitUntil(() => book.delivered >= expected, c.drainMs);
  return {
    type: 'step',
    rate: c.rate,
    seconds: c.seconds,
    offered: paced.created,
    acceptedInWindow: paced.created,
    accepted: paced.created,
    expectedDeliveries: expected,
    delivered: book.delivered,
    loss: expected > 0 ? (expected - book.delivered) / expected : 0,
    duplicates: book.duplicates,
    skipped: book.skipped,
    lastAcceptMs: paced.windowMs,
    lastDeliveryMs: book.lastDeliveryUs / 1000 - t0,
    datagramsIn: chunksIn - chunks0,
    datagramsOut: paced.created,
    retransmissions: 0,
    nacks: 0,
    ...book.summary(),
    windowMs: paced.windowMs,
    drainMs,
    ...meter.read(),
    loadgenWindowCpuShare: inWindow.loadgenCpuShare,
    pacerBehind: paced.behind,
    errors: badInput() > 0 ? { parseErrors: badInput() } : {},
    extra: { lateDeliveries: book.late, unsentBytes: peers.reduce((a, p) => a + p.socket.writableLength, 0) },
  };
}

/** One-client-stops-reading: a steady load; peer 0 pauses its socket, then resumes. */
async function stall(c: Extract<Command, { cmd: 'stall' }>): Promise<StallResult> {
  const k = ++stepNo;
  book.begin(k, c.seconds);
  const rec = new StallRecorder(c);
  onDelivery = (r) => rec.record(r);
  const stopAt = setTimeout(() => peers[0]!.socket.pause(), c.stopAtSeconds * 1000);
  const resumeAt = setTimeout(() => peers[0]!.socket.resume(), (c.stopAtSeconds + c.stopSeconds) * 1000);
  let fromOthers = 0;
  const paced = await pace(c.rate, c.seconds, (n) => {
    if (n % peers.length !== 0) fromOthers++;
    sendOne(n, k, c.textBytes);
  });
  const expected = paced.created * (peers.length - 1);
  await waitUntil(() => book.delivered >= expected, 10_000);
  clearTimeout(stopAt);
  clearTimeout(resumeAt);
  peers[0]!.socket.resume();
  onDelivery = undefined;
  const detail = `${c.textBytes}-byte messages; client 0 pauses its socket (keeps sending); ${book.skipped} skipped, ${book.duplicates} duplicates or out of order, ${badInput()} parse errors`;
  return rec.result(book.delivered, expected, fromOthers, detail);
}

async function handle(c: Command): Promise<Reply> {
  switch (c.cmd) {
    case 'join':
      return join(c);
    case 'step':
      return step(c);
    case 'stall':
      return stall(c);
    case 'settle': {
      const unsent = (): number => peers.reduce((a, p) => a + p.socket.writableLength, 0);
      const ms = await waitUntil(() => unsent() === 0, c.maxMs);
      return { type: 'settled', ms, pending: unsent() };
    }
    case 'quit':
      // Close from the client side first, so TIME_WAIT stays on the client ports and the seed can
      // bind 9090 again at once.
      for (const p of peers) p.socket.end();
      await sleep(200);
      for (const p of peers) p.socket.destroy();
      return { type: 'bye' };
  }
}

serveCommands(handle);
