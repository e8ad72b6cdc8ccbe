/**
 * End-to-end witnesses: real `udp-chat join --plain` processes against a real server. The bench
 * writes each message to a client's stdin and reads every client's stdout; latency is from the
 * write to the line on another client's stdout (send times on the machine's monotonic clock).
 * - `plain`: K clients, a total rate round robin over them;
 * - `stopped`: K − 1 simulated peers send to a durable server (room log on disk), one real client
 *   is stopped (SIGSTOP) for a while and continued (SIGCONT): what does it show afterwards?
 *
 * Standalone: node --import=tsx bench/witness.ts [--peers 10] [--rate 100] [--seconds 3] [--warm 3]
 *             node --import=tsx bench/witness.ts --stopped [--rate 2000] [--stop-for 9]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { track } from './child.js';
import { median, type LatencySummary } from './histogram.js';
import { LoadgenGroup } from './loadgen-group.js';
import { cli, messageText, nowUs, pace, sleep, StepBook, waitUntil, type Flags } from './load-common.js';
import { cpuTimeMs } from './proc-stats.js';
import { SERVER_JS, startTarget } from './targets.js';

export interface WitnessResult {
  kind: 'plain' | 'stopped';
  peers: number;
  rate: number;
  seconds: number;
  latency: LatencySummary | undefined;
  /** Lines of other clients' messages seen on the clients' stdout, and how many there should be. */
  delivered: number;
  expected: number;
  /** Median CPU of one client process over the step, share of one core. */
  clientCpuShare: number;
  /** CPU of the bench process itself (it writes and reads every line), share of one core. */
  benchCpuShare: number;
  /** Lines that were not messages or joins (notices, state changes), the first few; `stopped`: those printed after the stop. */
  notices: string[];
  detail: string;
  error: string | undefined;
}

const CLIENT_HOME = mkdtempSync(path.join(tmpdir(), 'udpchat-witness-'));
process.once('exit', () => rmSync(CLIENT_HOME, { recursive: true, force: true }));
const TEXT_BYTES = 48;
const MESSAGE = /t=\d/;

/** One real line-mode client; what it prints is checked (per sender: in order, once) and timed in `book`. */
class PlainClient {
  readonly proc: ChildProcess;
  joined = false;
  private readonly lastI: Int32Array;
  readonly notices: string[] = [];

  constructor(
    readonly index: number,
    peers: number,
    server: string,
    private readonly book: StepBook,
  ) {
    this.lastI = new Int32Array(peers);
    // Whatever a client keeps (state, keys) goes to a temporary directory, not the user's home.
    const env = { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: CLIENT_HOME, XDG_CONFIG_HOME: CLIENT_HOME };
    this.proc = track(spawn(process.execPath, [SERVER_JS, 'join', '--plain', '--accept-new-key', '--server', server, '--nick', `w${index}`], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
    this.proc.stdin!.on('error', () => undefined);
    createInterface({ input: this.proc.stdout! }).on('line', (line) => this.line(line));
    createInterface({ input: this.proc.stderr! }).on('line', (line) => this.notices.push(line));
  }

  private line(line: string): void {
    const at = line.search(MESSAGE);
    if (at >= 0 && this.book.receiveText(this.lastI, this.index, line.slice(at), nowUs())) return;
    if (/you joined as/.test(line)) this.joined = true;
    // Presence, one by one ("* ann joined") or summarised under churn ("* 12 joins and 3 leaves (…)"), is not a notice.
    else if (!/\* \S+ (joined|left)|\* \d+ (joins?|leaves?)\b|^-- /.test(line)) this.notices.push(line);
  }

  say(text: string): void {
    this.proc.stdin!.write(`${text}\n`);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(t);
  }
}

export function failed(kind: WitnessResult['kind'], peers: number, rate: number, seconds: number, error: string): WitnessResult {
  return { kind, peers, rate, seconds, latency: undefined, delivered: 0, expected: 0, clientCpuShare: NaN, benchCpuShare: NaN, notices: [], detail: '', error };
}

/** The warm-up's rate at most (faster, 50 real clients would take longer to show it than to send it). */
const WARM_RATE = 100;

/**
 * K real clients, `rate` messages/s in total for `seconds`, after a warm-up that is not measured:
 * `warmSeconds` at min(rate, 100) msg/s, until every client has shown it (as the in-process bench
 * warms its peers up: what is measured is a client that has been running, not V8 compiling its
 * code; a 4 s step right after the join measured mostly that).
 */
export async function plainWitness(peers: number, rate: number, seconds: number, warmSeconds = 3): Promise<WitnessResult> {
  const server = await startTarget('udpchat');
  // The warm-up is step 0 of the book, the measured window step 1 (the book times only the current step).
  const book = new StepBook();
  const clients: PlainClient[] = [];
  try {
    // Ten at a time: fifty Node processes starting at once would starve the machine for seconds.
    for (let i = 0; i < peers; i++) {
      clients.push(new PlainClient(i, peers, server.server, book));
      if (i % 10 === 9) await waitUntil(() => clients.every((c) => c.joined), 20_000);
    }
    await waitUntil(() => clients.every((c) => c.joined), 20_000);
    if (!clients.every((c) => c.joined)) return failed('plain', peers, rate, seconds, `${clients.filter((c) => c.joined).length} of ${peers} clients joined in time`);
    await sleep(1000);
    const nextI = new Array<number>(peers).fill(0);
    const say = (n: number): void => {
      const s = n % peers;
      nextI[s]!++;
      clients[s]!.say(messageText(nowUs(), s, nextI[s]!, book.step, TEXT_BYTES));
    };
    let faults = 0;
    if (warmSeconds > 0) {
      book.begin(0, warmSeconds);
      const warm = await pace(Math.min(rate, WARM_RATE), warmSeconds, say);
      await waitUntil(() => book.delivered >= warm.created * (peers - 1), 30_000);
      if (book.delivered < warm.created * (peers - 1)) return failed('plain', peers, rate, seconds, `the warm-up's ${warm.created} messages were not all shown within 30 s`);
      await sleep(500);
      faults = book.skipped + book.duplicates;
    }
    book.begin(1, seconds);
    const cpu0 = clients.map((c) => cpuTimeMs(c.proc.pid ?? 0) ?? 0);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const paced = await pace(rate, seconds, say);
    const wall = performance.now() - t0;
    const cpu = clients.map((c, i) => ((cpuTimeMs(c.proc.pid ?? 0) ?? 0) - cpu0[i]!) / wall);
    const self = process.cpuUsage(self0);
    const expected = paced.created * (peers - 1);
    await waitUntil(() => book.delivered >= expected, 5000);
    const notices = clients.flatMap((c) => c.notices);
    return {
      kind: 'plain',
      peers,
      rate,
      seconds,
      latency: book.latency.summary(),
      delivered: book.delivered,
      expected,
      clientCpuShare: median(cpu),
      benchCpuShare: (self.user + self.system) / 1000 / wall,
      notices: notices.slice(0, 5),
      detail: `${warmSeconds > 0 ? `after a ${warmSeconds} s warm-up at ${Math.min(rate, WARM_RATE)} msg/s; ` : ''}${book.skipped} skipped, ${book.duplicates} duplicated${faults > 0 ? ` (${faults} more in the warm-up)` : ''}, ${notices.length} other lines; the bench itself wrote and read all the lines${paced.behind ? '; the pacer fell behind' : ''}`,
      error: undefined,
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
}

/**
 * K − 1 simulated peers send `rate` messages/s of `textBytes` bytes for `seconds`; a real client
 * is stopped (SIGSTOP) at `stopAt` for `stopFor` seconds. What did it print by the end?
 */
export async function stoppedWitness(peers: number, rate: number, seconds: number, stopAt: number, stopFor: number, textBytes: number): Promise<WitnessResult> {
  // The store keeps at least --keep messages (default 100,000): keep what the whole step sends.
  const keep = Math.max(100_000, Math.ceil(rate * seconds * 1.2));
  const server = await startTarget('durable', ['--text-bytes', String(textBytes)], [], ['--keep', String(keep)]);
  const gen = new LoadgenGroup(server.loadgen.script, server.loadgen.args, 1);
  // The load generator's first step is its step 1: what the real client shows of it.
  const book = new StepBook();
  book.begin(1, seconds);
  let real: PlainClient | undefined;
  try {
    // The simulated peers are p0…p(K−2); the real client's messages would be s = K − 1 (it sends none).
    real = new PlainClient(peers - 1, peers, server.server, book);
    const client = real;
    await waitUntil(() => client.joined, 20_000);
    const joined = await gen.join(peers - 1, 500, 20_000);
    if (!client.joined || joined.type !== 'joined') return failed('stopped', peers, rate, seconds, `join: ${client.joined ? JSON.stringify(joined) : 'the real client did not join'}`);
    const pid = client.proc.pid ?? 0;
    // Only what it prints after the stop counts as a notice about the stop; lines printed at join
    // (the first-contact key note on stderr) are reported apart.
    let before = client.notices.length;
    const stop = setTimeout(() => {
      before = client.notices.length;
      process.kill(pid, 'SIGSTOP');
    }, stopAt * 1000);
    const cont = setTimeout(() => process.kill(pid, 'SIGCONT'), (stopAt + stopFor) * 1000);
    const step = await gen.step(rate, seconds, 10_000);
    clearTimeout(stop);
    clearTimeout(cont);
    process.kill(pid, 'SIGCONT');
    const offered = step.type === 'error' ? 0 : step.offered;
    const resumed = performance.now();
    await waitUntil(() => book.delivered >= offered, Math.max(30, 2 * stopFor) * 1000);
    const caughtUp = book.delivered >= offered ? `, all shown ${((performance.now() - resumed) / 1000).toFixed(1)} s after the load ended` : '';
    return {
      kind: 'stopped',
      peers,
      rate,
      seconds,
      latency: undefined,
      delivered: book.delivered,
      expected: offered,
      clientCpuShare: NaN,
      benchCpuShare: NaN,
      notices: client.notices.slice(before, before + 5),
      detail: `${textBytes}-byte messages; stopped at ${stopAt} s for ${stopFor} s (durable server, --keep ${keep})${caughtUp}; ${book.skipped} skipped, ${book.duplicates} duplicated, ${client.notices.length - before} notice lines after the stop (not counted: ${before} printed before it, at join)${step.type === 'error' ? `; load generator: ${step.message}` : `; the ${peers - 1} others meanwhile: ${step.delivered} of ${step.expectedDeliveries} deliveries, p99 ${step.latency.p99Ms.toFixed(1)} ms`}`,
      error: undefined,
    };
  } finally {
    await real?.stop();
    await gen.close();
    await server.stop();
  }
}

export const WITNESS_FLAGS: Flags = {
  '--stopped': { help: 'a real client stopped and continued (durable server) instead of K clients' },
  '--peers': { arg: 'K', numbers: true, help: 'clients (10)' },
  '--rate': { arg: 'N', numbers: true, help: 'messages/s in total (100; --stopped: 2000)' },
  '--seconds': { arg: 'S', numbers: true, help: 'the measured step (3; --stopped: 14)' },
  '--warm': { arg: 'S', numbers: true, help: 'the warm-up, not measured (3)' },
  '--stop-at': { arg: 'S', numbers: true, help: '--stopped: when the real client is stopped (2)' },
  '--stop-for': { arg: 'S', numbers: true, help: '--stopped: for how long (9)' },
  '--text-bytes': { arg: 'N', numbers: true, help: '--stopped: chat text per message (900)' },
};

async function main(): Promise<void> {
  const o = cli('node --import=tsx bench/witness.ts', WITNESS_FLAGS);
  const r = o.has('--stopped')
    ? await stoppedWitness(o.number('--peers', 10), o.number('--rate', 2000), o.number('--seconds', 14), o.number('--stop-at', 2), o.number('--stop-for', 9), o.number('--text-bytes', 900))
    : await plainWitness(o.number('--peers', 10), o.number('--rate', 100), o.number('--seconds', 3), o.number('--warm', 3));
  console.log(JSON.stringify(r, null, 1));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
