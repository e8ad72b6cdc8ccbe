/**
 * The cost of durability under load, in one process and one run: the same chat traffic against an
 * in-memory server and a durable one (store in a temp directory). K clients (the real ChatClient)
 * each say messages at an even pace; for each rate the script prints delivery latency (say() to
 * the sender's own copy arriving in room order: for the durable server that includes the group
 * commit), and for the durable server the flushes per second, bytes written per message and what
 * one commit took on this disk (write + flush, from the append to the end of the flush) and how
 * many commits the disk held up (over 10 ms, the longest, and their time in all). Both lines
 * end with the event-loop delay of the one process (server and clients): what a commit's return to
 * the loop may wait for besides the disk.
 *
 *   node --import=tsx bench/durable-load.ts [K=20] [rates=100,1000] [seconds=4]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ChatClient } from '../lib/client/chat-client.js';
import { ChatServer } from '../lib/server/chat-server.js';
import { NodeDisk } from '../lib/server/store/disk.js';
import { openStore } from '../lib/server/store/open-store.js';
import { percentile } from './histogram.js';
import { cli, sleep } from './load-common.js';

const [k = '20', rates = '100,1000', seconds = '4'] = cli('node --import=tsx bench/durable-load.ts', {}, { positionals: '[K] [rates] [seconds]', maxPositionals: 3 }).positionals;
const K = Number(k);
const RATES = rates.split(',').map(Number);
const SECONDS = Number(seconds);

/** The real disk, timing each commit: from the start of the append to the end of the flush that follows. */
class TimedDisk extends NodeDisk {
  readonly commitMs: number[] = [];
  private started = 0;
  override async append(name: string, data: Buffer): Promise<void> {
    this.started = performance.now();
    await super.append(name, data);
  }
  override async sync(name: string): Promise<void> {
    await super.sync(name);
    if (this.started > 0) this.commitMs.push(performance.now() - this.started);
    this.started = 0;
  }
}

/**
 * Commits the disk held up (over 10 ms), and the longest: every message that arrives meanwhile
 * waits for it (nothing is acknowledged or sent before it is on disk), so one stall of S ms puts
 * about rate × S / 1000 messages into the tail.
 */
function stalls(commitMs: readonly number[]): string {
  const slow = commitMs.filter((ms) => ms > 10);
  return `${slow.length} over 10 ms (longest ${Math.max(0, ...commitMs).toFixed(1)} ms, ${slow.reduce((a, b) => a + b, 0).toFixed(0)} ms in all)`;
}

async function run(durable: boolean, rate: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'udp-chat-load-'));
  const disk = new TimedDisk(dir);
  const store = durable ? await openStore(dir, { keep: 100_000, tailEntries: 8192, random: randomBytes, disk }) : undefined;
  const server = await ChatServer.start({ host: '127.0.0.1', port: 0, rate: 100_000, burst: 100_000, sessionsPerIp: 1000, maxPeers: 1000, store });
  const port = server.address().port;
  const clients = Array.from({ length: K }, (_, i) => new ChatClient({ server: `127.0.0.1:${port}`, nick: `p${i}` }));
  const latencies: number[] = [];
  let joined = 0;
  for (const c of clients) {
    c.on('event', (e: { type: string; own?: boolean; text?: string; history?: boolean }) => {
      if (e.type === 'joined') joined++;
      if (e.type === 'message' && e.own === true && e.history !== true) latencies.push(performance.now() - Number(e.text?.split(' ')[0]));
    });
    await c.connect();
    c.join();
  }
  while (joined < K) await sleep(20);
  const before = { ...(server.storeStats ?? { syncs: 0, bytes: 0, records: 0, writes: 0 }) };
  disk.commitMs.length = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const total = rate * SECONDS;
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    (clients[n % K] as ChatClient).say(`${performance.now()} ${'x'.repeat(40)}`);
  }
  const until = performance.now() + 10_000;
  while (latencies.length < total && performance.now() < until) await sleep(20);
  const elapsed = (performance.now() - started) / 1000;
  loop.disable();
  const lag = `event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`;
  const after = server.storeStats;
  for (const c of clients) c.shutdown();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  const head = `${durable ? 'durable  ' : 'in-memory'} ${rate} msg/s: ${latencies.length}/${total} delivered, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`;
  if (after === undefined) return `${head}; ${lag}`;
  const syncs = after.syncs - before.syncs;
  const bytes = after.bytes - before.bytes;
  return `${head}; ${(syncs / elapsed).toFixed(0)} flushes/s, ${(bytes / total).toFixed(0)} bytes written per message (${(total / syncs).toFixed(1)} records per flush); a commit (write + flush) p50 ${percentile(disk.commitMs, 50).toFixed(2)} ms, p99 ${percentile(disk.commitMs, 99).toFixed(2)} ms, ${stalls(disk.commitMs)}; ${lag}`;
}

for (const rate of RATES) {
  for (const durable of [false, true]) console.log(await run(durable, rate));
}
