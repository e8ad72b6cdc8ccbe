/**
 * The Python TCP seed baseline of `npm run bench`: the server code block of the seed assignment
 * (/work/shared/seed/*.txt, a markdown file) is extracted at run time into a temp dir and run
 * verbatim with python3. It binds 127.0.0.1:9090 (hard-coded), reads the nickname with one
 * recv(1024), then relays every recv() chunk as "<nick>: <chunk>" to every other client from one
 * broadcast thread with blocking sendall().
 *
 * Standalone: node --import=tsx bench/seed-tcp.ts [--peers 10] [--rate 100] [--seconds 3] [--stall]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startChild, type Child } from './child.js';
import { LoadgenProcess } from './loadgen-protocol.js';
import { cpuTimeMs, memory } from './proc-stats.js';

export const SEED_DIR = process.env.UDPCHAT_SEED_DIR ?? '/work/shared/seed';
export const SEED_HOST = '127.0.0.1';
export const SEED_PORT = 9090;
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The seed server's Python source, taken verbatim from the first code block that binds and accepts. */
export function extractSeedServer(dir = SEED_DIR): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt') || f.endsWith('.md'));
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/```python\n([\s\S]*?)```/g)) {
      const code = m[1] ?? '';
      if (code.includes('.bind(') && code.includes('.accept()')) return code;
    }
  }
  throw new Error(`no Python server code block (bind + accept) in ${dir}`);
}

/** True if something accepts TCP connections on 127.0.0.1:9090 right now. */
export function portBusy(port = SEED_PORT): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: SEED_HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface SeedServer {
  child: Child;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts the seed server (python3 -u, so its log lines are not buffered). Retries for up to
 * `timeoutMs` while the port is still held (TIME_WAIT lasts 60 s after a seed was killed with
 * clients connected: the seed does not set SO_REUSEADDR). Throws if port 9090 is taken by another process or python3 is missing.
 */
export async function startSeedServer(timeoutMs = 70_000): Promise<SeedServer> {
  if (await portBusy()) throw new Error(`127.0.0.1:${SEED_PORT} is already in use by another process; the seed hard-codes it`);
  const dir = mkdtempSync(path.join(tmpdir(), 'udp-chat-seed-'));
  const file = path.join(dir, 'seed_server.py');
  writeFileSync(file, extractSeedServer());
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const child = await startChild('python3', ['-u', file], { cwd: dir, readyPattern: /Сервер запущен/, timeoutMs: 10_000 });
      return {
        child,
        dir,
        stop: async () => {
          await child.stop(2000);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      const busy = e instanceof Error && /Address already in use/.test(e.message);
      if (!busy || Date.now() > deadline) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      await new Promise((r) => setTimeout(r, Math.min(2000, 250 * (attempt + 1))));
    }
  }
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const peers = arg('--peers', 10);
  const rate = arg('--rate', 100);
  const seconds = arg('--seconds', 3);
  const seed = await startSeedServer();
  const gen = new LoadgenProcess(path.join(HERE, 'tcp-loadgen.ts'), []);
  try {
    const pid = seed.child.pid;
    const joined = await gen.request({ cmd: 'join', peers, spreadMs: 1000, timeoutMs: 20_000 }, 30_000);
    console.log(JSON.stringify(joined));
    const cpu0 = cpuTimeMs(pid) ?? 0;
    const step = await gen.request({ cmd: 'step', rate, seconds, drainMs: 2000 }, (seconds + 10) * 1000);
    const cpu1 = cpuTimeMs(pid) ?? 0;
    console.log(JSON.stringify(step));
    console.log(JSON.stringify({ serverCpuMs: cpu1 - cpu0, memory: memory(pid) }));
    if (process.argv.includes('--stall')) {
      const stall = await gen.request(
        { cmd: 'stall', rate, seconds: arg('--stall-seconds', 12), stopAtSeconds: 2, stopSeconds: arg('--stop-seconds', 8), textBytes: 900 },
        60_000,
      );
      console.log(JSON.stringify(stall));
    }
  } finally {
    await gen.close();
    await seed.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
