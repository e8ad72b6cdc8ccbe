/**
 * The systems under test and how to start each one as a child process:
 * - `udpchat`: `node dist/bin/udp-chat.js serve --no-persist` with its per-user limits lifted
 *   (LIFTED_FLAGS): the reliability layer against the relays;
 * - `durable`: the same with the room log on disk (persistence on, as installed): issue 9's row
 *   beside the in-memory one;
 * - `stock`: the server as installed, stock flags (10 messages/s per user, 256 users, 32 per IP,
 *   persistence on);
 * the durable ones in a fresh temporary directory per start (`--data`, and XDG_STATE_HOME too),
 * removed when it stops;
 * - `relay` / `batch`: bench/relay.ts, naive or batching (`--batch`).
 * Each target says which load generator speaks to it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from './child.js';

export type TargetName = 'udpchat' | 'sealed' | 'durable' | 'stock' | 'relay' | 'batch';

/** The targets that run udp-chat's server. */
export const isUdpChat = (t: TargetName): boolean => t === 'udpchat' || t === 'sealed' || t === 'durable' || t === 'stock';

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

// Not part of any limit: less logging, and no mDNS / DISCOVER announcements (a bench must not
// advertise its servers on the network, nor show up in other people's discovery).
const BASE_FLAGS = ['--host', '127.0.0.1', '--port', '0', '--quiet', '--no-announce'];

/** The limits lifted for every udp-chat row but `stock` (a flag `serve` does not know stops the bench: a limit left in place would bias it). */
export const LIFTED_FLAGS: [flag: string, value: string][] = [
  ['--rate', '1000000'],
  ['--burst', '1000000'],
  ['--max-peers', '5000'],
  ['--sessions-per-ip', '5000'],
  ['--hard-rate', '10000000'],
  ['--hard-burst', '10000000'],
  ['--idle-timeout', '120'],
];

/** Why the udp-chat server cannot be benchmarked (not built), or undefined if it can. */
export function udpChatProblem(): string | undefined {
  return existsSync(SERVER_JS) ? undefined : `${path.relative(ROOT, SERVER_JS)} is missing: run \`npm run build\` first`;
}

/** True if lib/ has a .ts file newer than the build (the bench would measure old code). */
export function buildLooksStale(): boolean {
  if (!existsSync(SERVER_JS)) return false;
  const built = statSync(SERVER_JS).mtimeMs;
  const dirs = ['lib/server', 'lib/protocol', 'lib/cli', 'bin'].map((d) => path.join(ROOT, d));
  return dirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.ts') && statSync(path.join(d, f)).mtimeMs > built));
}

// Every system's peers come from the same addresses: 30 per address, eight addresses a /24 (the load
// generator's default; see bench/udp-peer.ts), as the users of a big room come from several machines.
function udpLoadgen(target: 'udpchat' | 'relay' | 'batch', port: string, extra: readonly string[]): Running['loadgen'] {
  return { script: path.join(HERE, 'loadgen.ts'), args: ['--target', target, '--server', `127.0.0.1:${port}`, ...extra] };
}

function fromChild(name: TargetName, child: Child, loadgen: Running['loadgen'], server: string): Running {
  return { name, pid: child.pid, server, loadgen, output: child.output, stop: () => child.stop(3000) };
}

/**
 * Starts a fresh instance of a target; `loadgenArgs` are passed to the load generator,
 * `nodeArgs` to node before the server's script and `serveArgs` after it (e.g. --cpu-prof, --no-persist).
 */
export async function startTarget(name: TargetName, loadgenArgs: readonly string[] = [], nodeArgs: readonly string[] = [], serveArgs: readonly string[] = []): Promise<Running> {
  if (isUdpChat(name)) {
    // The load generator's peers speak cleartext (the reliability layer alone), so every row but
    // `sealed` admits them with --allow-cleartext; `sealed` runs the server as installed (sealed
    // only) and its peers seal (loadgen --sealed): the same as `udpchat` plus sealing.
    const sealed = name === 'sealed';
    // A fresh store per start: a previous block's room log would be replayed and extended.
    const dir = mkdtempSync(path.join(tmpdir(), 'udpchat-bench-'));
    const args = ['serve', ...BASE_FLAGS, ...(name === 'stock' ? [] : LIFTED_FLAGS.flat()), ...(sealed ? [] : ['--allow-cleartext']), ...(name === 'udpchat' || sealed ? ['--no-persist'] : []), ...serveArgs, '--data', dir];
    const env = { ...process.env, XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir };
    const child = await startChild(process.execPath, [...nodeArgs, SERVER_JS, ...args], { cwd: ROOT, env, readyPattern: LISTENING, timeoutMs: 15_000 }).catch((e: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    });
    const port = child.ready[1] ?? '0';
    const running = fromChild(name, child, udpLoadgen('udpchat', port, sealed ? [...loadgenArgs, '--sealed'] : loadgenArgs), `127.0.0.1:${port}`);
    return { ...running, stop: () => child.stop(3000).finally(() => rmSync(dir, { recursive: true, force: true })) };
  }
  const child = await startChild(process.execPath, [...nodeArgs, '--import=tsx', path.join(HERE, 'relay.ts'), ...(name === 'batch' ? ['--batch'] : []), '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT,
    readyPattern: LISTENING,
    timeoutMs: 15_000,
  });
  const port = child.ready[1] ?? '0';
  return fromChild(name, child, udpLoadgen(name === 'batch' ? 'batch' : 'relay', port, loadgenArgs), `127.0.0.1:${port}`);
}
