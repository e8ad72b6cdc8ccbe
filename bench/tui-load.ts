/**
 * CPU of the full-screen client while a busy room scrolls by: the real `udp-chat join` in a tmux
 * pane (100×30), a server, and senders (ChatClients in this process) that say R messages a second
 * in total. For each rate, the viewer's CPU over the step (utime + stime from /proc, as % of one
 * core) and the server's, for context.
 *
 *   npm run build && npm run bench:tui-load [-- --rates 100,1000,5000 --seconds 10 --senders 8]
 *
 * VIEWER_NODE_ARGS adds node flags for the viewer (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 * Needs Linux (/proc) and tmux. Numbers on a shared machine are noisy: say so when quoting them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChatClient } from '../lib/client/chat-client.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const RATES = option('--rates', '100,1000,5000').split(',').map(Number);
const SECONDS = Number(option('--seconds', '10'));
const SENDERS = Number(option('--senders', '8'));
const CLI = new URL('../dist/bin/udp-chat.js', import.meta.url).pathname;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const TMUX = `udpchat-tui-load-${process.pid}`;

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

async function startServer(): Promise<{ pid: number; port: number; stop: () => void }> {
  const args = ['serve', '--host', '127.0.0.1', '--port', '0', '--no-persist', '--quiet', '--rate', '100000', '--burst', '100000',
    '--hard-rate', '1000000', '--hard-burst', '1000000'];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
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
  execFileSync('tmux', ['-L', TMUX, '-f', '/dev/null', 'new-session', '-d', '-x', '100', '-y', '30',
    'env', 'TERM=xterm-256color', process.execPath, ...(process.env.VIEWER_NODE_ARGS ?? '').split(' ').filter(Boolean), CLI, 'join', '--nick', 'viewer', '--server', `127.0.0.1:${port}`]);
  return Number(execFileSync('tmux', ['-L', TMUX, 'list-panes', '-F', '#{pane_pid}'], { encoding: 'utf8' }).trim());
}

async function joinSenders(port: number, witness?: string): Promise<ChatClient[]> {
  const nicks = witness === undefined ? Array.from({ length: SENDERS }, (_, i) => `load${i}`) : [witness];
  const clients = nicks.map((nick) => new ChatClient({ server: `127.0.0.1:${port}`, nick }));
  await Promise.all(clients.map(async (c) => {
    await c.connect();
    const joined = new Promise<void>((resolve) => c.on('event', (e: { type: string }) => { if (e.type === 'joined') resolve(); }));
    c.join();
    await joined;
  }));
  return clients;
}

/** Says `rate` messages a second for `seconds`, spread over the senders, in 10 ms ticks. */
async function load(clients: ChatClient[], rate: number, seconds: number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= seconds) return sent;
    const due = Math.floor(elapsed * rate);
    for (; sent < due; sent++) clients[sent % clients.length]!.say(`load message ${sent} at ${Date.now()} — the quick brown fox jumps over the lazy dog`);
    await sleep(10);
  }
}

const server = await startServer();
const viewer = startViewer(server.port);
try {
  await sleep(3000);
  const clients = await joinSenders(server.port);
  // A witness that counts what the room delivered (what the viewer had to show).
  const [witness] = await joinSenders(server.port, 'witness');
  let delivered = 0;
  witness!.on('event', (e) => { if (e.type === 'message' && !e.history) delivered++; });
  console.log(`viewer pid ${viewer}, server pid ${server.pid}, ${SENDERS} senders; ${SECONDS} s per rate`);
  console.log('rate msg/s | said | delivered msg/s | viewer CPU % | viewer RSS MiB | server CPU %');
  for (const rate of RATES) {
    const d0 = delivered;
    const v0 = cpuSeconds(viewer);
    const s0 = cpuSeconds(server.pid);
    const t0 = performance.now();
    const said = await load(clients, rate, SECONDS);
    const wall = (performance.now() - t0) / 1000;
    const viewerPct = ((cpuSeconds(viewer) - v0) / wall) * 100;
    const serverPct = ((cpuSeconds(server.pid) - s0) / wall) * 100;
    const perSecond = ((delivered - d0) / wall).toFixed(0);
    console.log(`${String(rate).padStart(10)} | ${String(said).padStart(6)} | ${perSecond.padStart(15)} | ${viewerPct.toFixed(1).padStart(12)} | ${rssMiB(viewer).toFixed(0).padStart(14)} | ${serverPct.toFixed(1).padStart(12)}`);
    await sleep(2000); // let the backlog drain before the next rate
  }
  const screen = execFileSync('tmux', ['-L', TMUX, 'capture-pane', '-p'], { encoding: 'utf8' });
  console.log(`viewer's status line: ${screen.split('\n').find((l) => l.includes('127.0.0.1')) ?? '(not found)'}`);
  await Promise.all([...clients, witness!].map((c) => c.leave()));
} finally {
  try {
    execFileSync('tmux', ['-L', TMUX, 'kill-server']);
  } catch {
    // already gone
  }
  server.stop();
}
