/**
 * `npm run bench:flood` (issue 10 item 7): a member's message latency while garbage or spoofed
 * joins from many sources hit the server at a fixed rate. The server is the built one, stock flags,
 * in memory (`serve --no-persist`): first with `--allow-cleartext` (floods of garbage and of
 * JOINs), then sealed-only as installed (a flood of HELLOs and HANDSHAKE1s with made-up cookies;
 * its members seal). The flood comes from bench/flood-gen.ts in its own processes (`--gens`, each
 * a share of the rate), on the same cores as the server: the rate they reached is printed beside
 * the one asked for. The two members are the project's client (lib/client/chat-client.ts) in this
 * process: one says 10 messages a second (the stock per-user rate) during the flood and for 3 s
 * after it, the other measures send-to-delivery latency. A first row per server without any flood
 * is the baseline: what the machine's load alone does to that latency. Target: none lost, p99 ≤
 * 2 s, nobody evicted. Every row is printed with the load average beside it (a busy machine makes
 * the figures worse, never better); at the end a `|` table of all rows (`npm run bench` runs this
 * as a phase and puts the table in docs/performance.md).
 *
 *   npm run build && npm run bench:flood -- [--rates 20000,50000,100000] [--kinds garbage,join] [--sealed-kinds hello] [--seconds 10] [--gens 2]
 *
 * Prints a table, a row as each is measured.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { ClientEvent } from '../lib/client/session-types.js';
import { killAll, startChild, track, type Child } from './child.js';
import { Histogram } from './histogram.js';
import { cpuTimeMs } from './proc-stats.js';
import { HERE, ROOT, SERVER_JS } from './targets.js';
import { cli, joinedClient, sleep } from './load-common.js';

const opts = cli('npm run bench:flood --', {
  '--rates': { arg: '20000,50000,100000', numbers: true, help: 'flood datagrams/s, a row each' },
  '--kinds': { arg: 'garbage,join', help: 'floods at the cleartext server' },
  '--sealed-kinds': { arg: 'hello', help: 'floods at the sealed server (none: empty)' },
  '--seconds': { arg: 'S', numbers: true, help: 'length of a flood (10)' },
  '--gens': { arg: 'N', numbers: true, help: 'flood-gen.ts processes (2)' },
});
const rates = opts.numbers('--rates', '20000,50000,100000');
const kinds = opts.string('--kinds', 'garbage,join').split(',').filter(Boolean);
const sealedKinds = opts.string('--sealed-kinds', 'hello').split(',').filter(Boolean);
const seconds = opts.number('--seconds', 10);
const gens = opts.number('--gens', 2);
const MSG_PER_S = 10;
const AFTER_S = 3;
const DRAIN_MS = 10_000;

type Server = 'cleartext' | 'sealed';

interface GenResult {
  sent: number;
  seconds: number;
  rate: number;
  errors: number;
  cpuMs: number;
}

/** The kernel's drop count of the UDP socket bound to 127.0.0.1:port (/proc/net/udp), 0 if not found. */
function socketDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1] === local);
  return Number(line?.trim().split(/\s+/).at(-1) ?? 0);
}

function runGen(server: string, kind: string, rate: number): Promise<GenResult> {
  const proc = track(spawn(process.execPath, ['--import=tsx', path.join(HERE, 'flood-gen.ts'), '--server', server, '--kind', kind, '--rate', String(rate), '--seconds', String(seconds)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }));
  return new Promise((resolve, reject) => {
    let last = '';
    if (proc.stdout) createInterface({ input: proc.stdout }).on('line', (l) => (last = l));
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`flood-gen exited ${String(code)}`));
      else resolve(JSON.parse(last) as GenResult);
    });
  });
}

/** One row of the table: the flood (or none, the baseline) and what the two members saw meanwhile. */
async function row(mode: Server, server: string, serverPid: number, kind: string, rate: number, n: number): Promise<string> {
  const [a, b] = [await joinedClient(server, `sender${n}`, mode === 'sealed'), await joinedClient(server, `reader${n}`, mode === 'sealed')];
  // A member that lost its session (reconnecting, closed, entries lost) during the row was evicted.
  const evicted = new Set<string>();
  for (const m of [a, b]) {
    m.on('event', (e: ClientEvent) => {
      if ((e.type === 'state' && (e.state === 'reconnecting' || e.state === 'closed')) || (e.type === 'notice' && e.lost === true)) evicted.add(m.nick);
    });
  }
  const sentAt = new Map<number, number>();
  const hist = new Histogram();
  let delivered = 0;
  let afterDelivered = 0;
  let floodOver = false;
  const afterIds = new Set<number>();
  b.on('event', (e: ClientEvent) => {
    if (e.type !== 'message' || e.nick !== a.nick) return;
    const id = Number(/^m(\d+)/.exec(e.text)?.[1]);
    const t = sentAt.get(id);
    if (t === undefined) return;
    sentAt.delete(id);
    delivered++;
    if (afterIds.has(id)) afterDelivered++;
    hist.record((performance.now() - t) * 1000);
  });
  const port = Number(server.split(':')[1]);
  const drops0 = socketDrops(port);
  const cpu0 = cpuTimeMs(serverPid) ?? 0;
  const t0 = performance.now();
  // Rate 0: the baseline, no flood for as long (what the machine's load alone does to latency).
  const floods = rate === 0 ? [sleep(seconds * 1000 + 1000).then((): GenResult => ({ sent: 0, seconds: 1, rate: 0, errors: 0, cpuMs: 0 }))] : Array.from({ length: gens }, () => runGen(server, kind, Math.round(rate / gens)));
  // The generators need a moment to start (tsx); the flood runs `seconds` from there.
  let id = 0;
  const sender = (async () => {
    while (!floodOver || afterIds.size < AFTER_S * MSG_PER_S) {
      id++;
      sentAt.set(id, performance.now());
      if (floodOver) afterIds.add(id);
      a.say(`m${id} ${'x'.repeat(40)}`);
      await sleep(1000 / MSG_PER_S);
    }
  })();
  const results = await Promise.all(floods);
  const floodMs = performance.now() - t0;
  const cpu1 = cpuTimeMs(serverPid) ?? 0;
  const drops1 = socketDrops(port);
  const load = loadavg().map((x) => Math.round(x * 10) / 10);
  floodOver = true;
  await sender;
  const deadline = Date.now() + DRAIN_MS;
  while (sentAt.size > 0 && Date.now() < deadline) await sleep(50);
  const gone = [...evicted].join(' ') || 'nobody';
  await Promise.all([a.leave(), b.leave()]);
  const l = hist.count > 0 ? hist.summary() : undefined;
  const sent = Math.round(results.reduce((x, r) => x + r.sent / r.seconds, 0));
  const genCores = Math.round(results.reduce((x, r) => x + r.cpuMs / 1000 / r.seconds, 0) * 100) / 100;
  return `| ${mode} | ${kind} | ${rate} | ${sent} | ${id} | ${id - delivered} | ${afterDelivered}/${afterIds.size} | ${ms(l?.p50Ms)} | ${ms(l?.p99Ms)} | ${ms(l?.maxMs)} | ${gone} | ${Math.round((100 * (cpu1 - cpu0)) / floodMs)} | ${genCores} | ${drops1 - drops0} | ${load[0]} |`;
}

/** Starts `serve` (stock flags, in memory) with its own state directory (its server key). */
async function startServer(mode: Server): Promise<{ server: Child; address: string; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'udpchat-flood-'));
  const args = [SERVER_JS, 'serve', '--host', '127.0.0.1', '--port', '0', '--no-persist', '--no-announce', '--quiet', ...(mode === 'cleartext' ? ['--allow-cleartext'] : [])];
  const server = await startChild(process.execPath, args, { env: { ...process.env, XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir }, readyPattern: /listening on 127\.0\.0\.1:(\d+)/, timeoutMs: 20_000 });
  return { server, address: `127.0.0.1:${server.ready[1] ?? ''}`, dir };
}

const ms = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(1));

async function main(): Promise<void> {
  if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build first`);
  console.log('| server | flood | asked /s | sent /s | messages | lost | after the flood | p50 ms | p99 ms | max ms | evicted | server CPU % | generators, cores | dropped at the server socket | load |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const drops: string[] = [];
  let n = 0;
  for (const [mode, floods] of [['cleartext', kinds], ['sealed', sealedKinds]] as const) {
    if (floods.length === 0) continue;
    const { server, address, dir } = await startServer(mode);
    try {
      for (const [kind, rate] of [['none', 0] as const, ...floods.flatMap((k) => rates.map((r) => [k, r] as const))]) console.log(await row(mode, address, server.pid, kind, rate, n++));
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    drops.push(...server.output.filter((l) => /dropped|stopped/.test(l)).slice(-2).map((l) => `${mode}: ${l}`));
  }
  for (const l of drops) console.log(`\nserver ${l}`);
}

process.once('SIGINT', () => {
  killAll();
  process.exit(130);
});
await main().catch((err: unknown) => {
  killAll();
  console.error(err);
  process.exitCode = 1;
});
