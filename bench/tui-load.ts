/**
 * The full-screen client while a busy room scrolls by: the real `udp-chat join` in a tmux pane
 * (100×30), a server, and senders (ChatClients in this process) that say R messages a second in
 * total. For each rate:
 *
 * - the viewer's CPU over the first half of the step, while nobody types (utime + stime from
 *   /proc, as % of one core), its RSS, and the server's CPU over the step, for context;
 * - keystroke to screen (p50, p99), in the second half of the step: a character typed into the
 *   pane every 50 ms (a tmux control client, `send-keys`) until the viewer writes it to the
 *   terminal (the pane's output, read through `pipe-pane`);
 * - display lag (p50, p99): from a message being said until it, or a later one, is written to the
 *   terminal. At thousands of messages a second most lines are never drawn (a frame shows the
 *   newest), so what counts is how old the newest line on screen is. Every 10 ms tick of messages
 *   carries a tag character of its own (336 of them, in turn), whose first appearance in the
 *   pane's output after the tick was said dates that tick.
 * - what the viewer wrote to its terminal, KiB/s;
 * - how long the viewer's main thread waited for a CPU while it had work (ms per second, from
 *   /proc/PID/schedstat): on a busy machine, latency the client cannot help;
 * - the 1-minute load average at the end of the step (the machine may be shared).
 *
 * The watching side (pane output, keystrokes) runs in a worker thread, so the senders' work does
 * not delay its clock.
 *
 *   npm run build && npm run bench:tui-load [-- --rates 100,1000,5000 --seconds 10 --senders 2]
 *
 * Two senders by default: every sender is a whole client that also receives the room, so eight
 * made this process handle 40,000 deliveries a second at 5,000 msg/s, on the same CPUs as the
 * viewer (which then waited for a CPU as long as it ran).
 *
 * VIEWER_NODE_ARGS adds node flags for the viewer (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 * Needs Linux (/proc) and tmux. Numbers on a shared machine are noisy: say so when quoting them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ChatClient } from '../lib/client/chat-client.js';
import { percentile } from './histogram.js';
import { cli, joinedClient } from './load-common.js';
import { cpuTimeMs, rssBytes } from './proc-stats.js';

const opts = cli('npm run bench:tui-load --', {
  '--rates': { arg: '100,1000,5000', numbers: true, help: 'incoming messages/s, a row each' },
  '--seconds': { arg: 'S', numbers: true, help: 'per rate (10)' },
  '--senders': { arg: 'N', numbers: true, help: 'clients saying the messages (2)' },
});
const RATES = opts.numbers('--rates', '100,1000,5000');
const SECONDS = opts.number('--seconds', 10);
const SENDERS = opts.number('--senders', 2);
const CLI = new URL('../dist/bin/udp-chat.js', import.meta.url).pathname;
const TMUX = `udpchat-tui-load-${process.pid}`;

/** CPU seconds (user + system, all threads) a process has used so far. */
const cpuSeconds = (pid: number): number => (cpuTimeMs(pid) ?? NaN) / 1000;

/** Seconds the process's main thread has waited for a CPU while runnable (/proc/PID/schedstat). */
function runQueueSeconds(pid: number): number {
  const [, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
  return Number(waitNs) / 1e9;
}

const rssMiB = (pid: number): number => (rssBytes(pid) ?? NaN) / 2 ** 20;

/** The server's key and the viewer's user key and known servers: here, not in the runner's own ~/.config. */
const XDG = mkdtempSync(path.join(tmpdir(), 'udpchat-tui-load-xdg-'));
process.once('exit', () => rmSync(XDG, { recursive: true, force: true }));

async function startServer(): Promise<{ pid: number; port: number; stop: () => void }> {
  // --allow-cleartext: the senders are in-process cleartext clients; the viewer (the CLI) seals.
  const args = ['serve', '--host', '127.0.0.1', '--port', '0', '--no-persist', '--quiet', '--allow-cleartext', '--rate', '100000', '--burst', '100000',
    '--hard-rate', '1000000', '--hard-burst', '1000000'];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, XDG_STATE_HOME: XDG, XDG_CONFIG_HOME: XDG } });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /127\.0\.0\.1:(\d+)/.exec(out);
      if (m?.[1] !== undefined) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`server exited: ${out}`)));
  });
  return { pid: child.pid ?? 0, port, stop: () => child.kill('SIGTERM') };
}

function startViewer(port: number): number {
  execFileSync('tmux', ['-L', TMUX, '-f', '/dev/null', 'new-session', '-d', '-s', 'load', '-x', '100', '-y', '30',
    'env', 'TERM=xterm-256color', `XDG_CONFIG_HOME=${XDG}`, `XDG_STATE_HOME=${XDG}`, process.execPath, ...(process.env.VIEWER_NODE_ARGS ?? '').split(' ').filter(Boolean), CLI, 'join', '--nick', 'viewer', '--accept-new-key', '--server', `127.0.0.1:${port}`]);
  // The control client that types must not resize the pane.
  execFileSync('tmux', ['-L', TMUX, 'set-option', '-g', 'window-size', 'manual']);
  return Number(execFileSync('tmux', ['-L', TMUX, 'list-panes', '-F', '#{pane_pid}'], { encoding: 'utf8' }).trim());
}

/** Tag characters of the ticks of messages (Latin Extended-A and -B: one column, never in the UI otherwise). */
const TAGS = Array.from({ length: 0x250 - 0x100 }, (_, i) => String.fromCodePoint(0x100 + i));
/** Characters typed as keystrokes (Greek small letters), then Ctrl-U. */
const KEYS = Array.from({ length: 24 }, (_, i) => String.fromCodePoint(0x3b1 + (i >= 17 ? i + 1 : i)));
const KEY_INTERVAL_MS = 50;

/** A high-resolution clock both threads share (ms since the epoch). */
const clock = (): number => performance.timeOrigin + performance.now();

/**
 * The watching side, in a worker (plain JS): reads the pane's output from a FIFO, types keys through
 * a tmux control client, and dates the first appearance of each key and each tick's tag.
 */
const WATCHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { tmux, fifo, tags, keys, keyIntervalMs } = workerData;
const clock = () => performance.timeOrigin + performance.now();
const tagIndex = new Map(tags.map((c, i) => [c, i]));
const keyIndex = new Map(keys.map((c, i) => [c, i]));
/** Per tag: the tick waiting to be seen [tick, said at]. */
const pendingTag = new Map();
/** Per key: when it was typed (not yet seen). */
const pendingKey = new Map();
let ticksSeen = [];
let keyTimes = [];
let bytes = 0;
let typing = false;
let k = 0;
const control = spawn('tmux', ['-L', tmux, '-C', 'attach-session', '-t', 'load'], { stdio: ['pipe', 'pipe', 'ignore'] });
control.stdout.resume();
control.stdin.write('refresh-client -f no-output\\n');
const type = () => {
  if (!typing) return;
  if (k === keys.length) {
    k = 0;
    pendingKey.clear();
    control.stdin.write('send-keys -t load C-u\\n');
  } else {
    const c = keys[k++];
    pendingKey.set(c, clock());
    control.stdin.write('send-keys -t load -l ' + c + '\\n');
  }
  setTimeout(type, keyIntervalMs);
};
const decoder = new TextDecoder();
const input = fs.createReadStream(fifo);
input.on('data', (chunk) => {
  const now = clock();
  bytes += chunk.length;
  const text = decoder.decode(chunk, { stream: true });
  for (const c of text) {
    if (c.charCodeAt(0) < 0x100) continue;
    const t = tagIndex.get(c);
    if (t !== undefined) {
      const p = pendingTag.get(t);
      if (p !== undefined && p[1] <= now) {
        pendingTag.delete(t);
        ticksSeen.push([p[0], now]);
      }
      continue;
    }
    const key = keyIndex.get(c);
    if (key !== undefined) {
      const at = pendingKey.get(c);
      if (at !== undefined) {
        pendingKey.delete(c);
        keyTimes.push(now - at);
      }
    }
  }
});
parentPort.on('message', (m) => {
  if (m.type === 'tick') pendingTag.set(m.tag, [m.tick, m.at]);
  else if (m.type === 'start') {
    ticksSeen = [];
    keyTimes = [];
    bytes = 0;
    pendingTag.clear();
  } else if (m.type === 'type') {
    typing = true;
    type();
  } else if (m.type === 'stop') {
    typing = false;
    setTimeout(() => parentPort.postMessage({ ticksSeen, keyTimes, bytes }), 300);
  } else if (m.type === 'close') {
    control.stdin.end();
    input.destroy();
    parentPort.close();
  }
});
parentPort.postMessage({ ready: true });
`;

interface Watched {
  /** [tick, first seen at] for ticks whose tag was seen. */
  ticksSeen: Array<[number, number]>;
  /** Keystroke-to-screen times, ms. */
  keyTimes: number[];
  /** Bytes the viewer wrote to its terminal. */
  bytes: number;
}

let watcherError: Error | undefined;

/** The watcher's next message (rejects if it failed, or fails first). */
function fromWatcher<T>(worker: Worker, send?: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (watcherError !== undefined) return reject(watcherError);
    const onError = (err: Error): void => {
      worker.off('message', onMessage);
      reject(err);
    };
    const onMessage = (m: T): void => {
      worker.off('error', onError);
      resolve(m);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    if (send !== undefined) worker.postMessage(send);
  });
}

async function startWatcher(): Promise<{ worker: Worker; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'udpchat-tui-load-'));
  const fifo = path.join(dir, 'pane');
  execFileSync('mkfifo', [fifo]);
  const worker = new Worker(WATCHER, { eval: true, workerData: { tmux: TMUX, fifo, tags: TAGS, keys: KEYS, keyIntervalMs: KEY_INTERVAL_MS } });
  // A failing watcher must end the run through the `finally` below (tmux, the server and the
  // viewer stopped), not as an uncaught error that leaves them running.
  worker.on('error', (err: Error) => { watcherError = err; });
  try {
    await fromWatcher<unknown>(worker);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  execFileSync('tmux', ['-L', TMUX, 'pipe-pane', '-O', '-t', 'load', `cat > '${fifo}'`]);
  return { worker, dir };
}

/** Display lag of each tick: until it or a later tick was first seen. Ticks after the last one seen are left out. */
function displayLags(saidAt: readonly number[], seen: ReadonlyArray<[number, number]>): number[] {
  const first = new Map<number, number>();
  for (const [tick, at] of seen) first.set(tick, Math.min(first.get(tick) ?? Infinity, at));
  const lags: number[] = [];
  let earliest = Infinity;
  for (let tick = saidAt.length - 1; tick >= 0; tick--) {
    earliest = Math.min(earliest, first.get(tick) ?? Infinity);
    if (Number.isFinite(earliest)) lags.push(earliest - (saidAt[tick] as number));
  }
  return lags;
}

async function joinSenders(port: number, nicks = Array.from({ length: SENDERS }, (_, i) => `load${i}`)): Promise<ChatClient[]> {
  return Promise.all(nicks.map((nick) => joinedClient(`127.0.0.1:${port}`, nick)));
}

/**
 * Says `rate` messages a second for `seconds`, spread over the senders, in 10 ms ticks; each tick's
 * messages carry its tag, and the worker is told when each tick was said. Returns how many were
 * said and when each tick was.
 */
async function load(clients: ChatClient[], rate: number, seconds: number, watcher: Worker, half: () => void): Promise<{ said: number; saidAt: number[] }> {
  const started = performance.now();
  const saidAt: number[] = [];
  let sent = 0;
  let halfway = false;
  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= seconds) return { said: sent, saidAt };
    if (!halfway && elapsed >= seconds / 2) {
      halfway = true;
      half();
    }
    const due = Math.floor(elapsed * rate);
    if (due > sent) {
      const tick = saidAt.length;
      const tag = tick % TAGS.length;
      const at = clock();
      saidAt.push(at);
      watcher.postMessage({ type: 'tick', tick, tag, at });
      for (; sent < due; sent++) clients[sent % clients.length]!.say(`${TAGS[tag]} load message ${sent} — the quick brown fox jumps over the lazy dog`);
    }
    await sleep(10);
  }
}

const server = await startServer();
const viewer = startViewer(server.port);
let watch: { worker: Worker; dir: string } | undefined;
try {
  await sleep(3000);
  const clients = await joinSenders(server.port);
  // A witness that counts what the room delivered (what the viewer had to show).
  const [witness] = await joinSenders(server.port, ['witness']);
  let delivered = 0;
  witness!.on('event', (e) => { if (e.type === 'message' && !e.history) delivered++; });
  watch = await startWatcher();
  const { worker } = watch;
  console.log(`viewer pid ${viewer}, server pid ${server.pid}, ${SENDERS} senders; ${SECONDS} s per rate; a keystroke every ${KEY_INTERVAL_MS} ms`);
  const columns = ['rate msg/s', 'said', 'delivered msg/s', 'viewer CPU %', 'viewer RSS MiB', 'server CPU %', 'keystroke p50 ms', 'keystroke p99 ms', 'keystrokes', 'display lag p50 ms', 'display lag p99 ms', 'output KiB/s', 'viewer waiting for a CPU ms/s', 'load avg 1m'];
  console.log(columns.join(' | '));
  for (const rate of RATES) {
    const d0 = delivered;
    const v0 = cpuSeconds(viewer);
    const s0 = cpuSeconds(server.pid);
    const q0 = runQueueSeconds(viewer);
    const t0 = performance.now();
    worker.postMessage({ type: 'start' });
    // The viewer's CPU over the first half (nobody typing: what the incoming messages cost); keys
    // are typed in the second half (each is a frame of its own: 20 a second cost 4–6% of a core).
    let viewerPct = NaN;
    const { said, saidAt } = await load(clients, rate, SECONDS, worker, () => {
      viewerPct = ((cpuSeconds(viewer) - v0) / ((performance.now() - t0) / 1000)) * 100;
      worker.postMessage({ type: 'type' });
    });
    const wall = (performance.now() - t0) / 1000;
    const serverPct = ((cpuSeconds(server.pid) - s0) / wall) * 100;
    const waitMs = ((runQueueSeconds(viewer) - q0) / wall) * 1000;
    const perSecond = ((delivered - d0) / wall).toFixed(0);
    const watched = await fromWatcher<Watched>(worker, { type: 'stop' });
    const keys = watched.keyTimes;
    const lags = displayLags(saidAt, watched.ticksSeen);
    const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
    const row = [String(rate), String(said), perSecond, viewerPct.toFixed(1), rssMiB(viewer).toFixed(0), serverPct.toFixed(1), ms(percentile(keys, 50)), ms(percentile(keys, 99)), String(keys.length),
      ms(percentile(lags, 50)), ms(percentile(lags, 99)), (watched.bytes / 1024 / wall).toFixed(0), waitMs.toFixed(0), (loadavg()[0] ?? 0).toFixed(2)];
    console.log(row.map((c, i) => c.padStart(columns[i]!.length)).join(' | '));
    await sleep(2000); // let the backlog drain before the next rate
  }
  const screen = execFileSync('tmux', ['-L', TMUX, 'capture-pane', '-p'], { encoding: 'utf8' });
  console.log(`viewer's status line: ${screen.split('\n').find((l) => l.includes('127.0.0.1')) ?? '(not found)'}`);
  await Promise.all([...clients, witness!].map((c) => c.leave()));
} finally {
  if (watch !== undefined) {
    watch.worker.postMessage({ type: 'close' });
    await watch.worker.terminate();
    rmSync(watch.dir, { recursive: true, force: true });
  }
  try {
    execFileSync('tmux', ['-L', TMUX, 'kill-server']);
  } catch {
    // already gone
  }
  server.stop();
}
