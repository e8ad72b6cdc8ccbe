/**
 * The systems under test and how to start each one as a child process:
 * - `udpchat`: `node dist/bin/udp-chat.js serve …` (the real server; flags it does not know are left out);
 * - `relay`: bench/relay.ts;
 * - `seed`: the Python TCP seed, extracted and run verbatim (bench/seed-tcp.ts).
 * Each target says which load generator speaks to it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToEnd, startChild, type Child } from './child.js';
import { startSeedServer } from './seed-tcp.js';

export type TargetName = 'udpchat' | 'relay' | 'seed';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const SERVER_JS = path.join(ROOT, 'dist', 'bin', 'udp-chat.js');
const LISTENING = /listening.*?127\.0\.0\.1:(\d+)/;

export interface Running {
  name: TargetName;
  pid: number;
  /** Address the load generator talks to. */
  server: string;
  /** Load generator script and its arguments. */
  loadgen: { script: string; args: string[] };
  /** Output lines of the server (the udp-chat server prints a summary when it stops). */
  output: string[];
  stop(): Promise<void>;
}

/** The flags we would like the udp-chat server to take, in order of preference; unknown ones are skipped. */
const WANTED_FLAGS: [flag: string, value: string][] = [
  ['--host', '127.0.0.1'],
  ['--port', '0'],
  ['--rate', '1000000'],
  ['--burst', '1000000'],
  ['--max-peers', '5000'],
  ['--sessions-per-ip', '5000'],
  ['--hard-rate', '10000000'],
  ['--hard-burst', '10000000'],
  ['--idle-timeout', '120'],
];

let serveFlags: string[] | undefined;

/**
 * Arguments for `udp-chat serve`: UDPCHAT_BENCH_SERVER_ARGS if set, else the wanted flags that
 * `serve --help` lists (so the bench keeps working while the CLI evolves).
 */
export async function udpChatServeArgs(): Promise<string[]> {
  if (process.env.UDPCHAT_BENCH_SERVER_ARGS !== undefined) return ['serve', ...process.env.UDPCHAT_BENCH_SERVER_ARGS.split(/\s+/).filter(Boolean)];
  if (serveFlags === undefined) {
    const help = await runToEnd(process.execPath, [SERVER_JS, 'serve', '--help'], 10_000);
    const text = help.stdout + help.stderr;
    serveFlags = WANTED_FLAGS.filter(([f]) => new RegExp(`${f}\\b`).test(text)).flatMap(([f, v]) => [f, v]);
  }
  return ['serve', ...serveFlags];
}

/** Why the udp-chat server cannot be benchmarked (missing or stale build), or undefined if it can. */
export function udpChatProblem(): string | undefined {
  if (!existsSync(SERVER_JS)) return `${path.relative(ROOT, SERVER_JS)} is missing: run \`npm run build\` first`;
  return undefined;
}

/** True if lib/ has a .ts file newer than the build (the bench would measure old code). */
export function buildLooksStale(): boolean {
  if (!existsSync(SERVER_JS)) return false;
  const built = statSync(SERVER_JS).mtimeMs;
  const dirs = ['lib/server', 'lib/protocol', 'lib/cli', 'bin'].map((d) => path.join(ROOT, d));
  return dirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.ts') && statSync(path.join(d, f)).mtimeMs > built));
}

function udpLoadgen(target: 'udpchat' | 'relay', port: string, extra: readonly string[]): Running['loadgen'] {
  return { script: path.join(HERE, 'loadgen.ts'), args: ['--target', target, '--server', `127.0.0.1:${port}`, ...extra] };
}

function fromChild(name: TargetName, child: Child, loadgen: Running['loadgen'], server: string): Running {
  return { name, pid: child.pid, server, loadgen, output: child.output, stop: () => child.stop(3000) };
}

/** Starts a fresh instance of a target; `loadgenArgs` are passed to the UDP load generator. */
export async function startTarget(name: TargetName, loadgenArgs: readonly string[] = []): Promise<Running> {
  switch (name) {
    case 'udpchat': {
      const child = await startChild(process.execPath, [SERVER_JS, ...(await udpChatServeArgs())], { cwd: ROOT, readyPattern: LISTENING, timeoutMs: 15_000 });
      const port = child.ready[1] ?? '0';
      // Without a way to lift the per-IP session cap, spread the peers over 127.0.1.x (still loopback).
      const perIp = (await udpChatServeArgs()).includes('--sessions-per-ip') ? ['--peers-per-ip', '0'] : [];
      return fromChild(name, child, udpLoadgen('udpchat', port, [...perIp, ...loadgenArgs]), `127.0.0.1:${port}`);
    }
    case 'relay': {
      const child = await startChild(process.execPath, ['--import=tsx', path.join(HERE, 'relay.ts'), '--host', '127.0.0.1', '--port', '0'], {
        cwd: ROOT,
        readyPattern: LISTENING,
        timeoutMs: 15_000,
      });
      const port = child.ready[1] ?? '0';
      return fromChild(name, child, udpLoadgen('relay', port, ['--peers-per-ip', '0', ...loadgenArgs]), `127.0.0.1:${port}`);
    }
    case 'seed': {
      const seed = await startSeedServer();
      return {
        name,
        pid: seed.child.pid,
        server: '127.0.0.1:9090',
        loadgen: { script: path.join(HERE, 'tcp-loadgen.ts'), args: [] },
        output: seed.child.output,
        stop: () => seed.stop(),
      };
    }
  }
}
