/**
 * Where a server spends its CPU at a fixed load (issue 13 item 6): starts the target with V8's
 * sampling profiler (--cpu-prof), joins K bench peers, runs a warm-up step and a measured step at
 * `rate` msg/s, and prints the busiest functions of the measured step alone (samples outside it,
 * start-up and joins, are left out) with the server's CPU per delivery. The .cpuprofile stays in
 * the output directory for a closer look (Chrome DevTools, speedscope).
 *
 *   node --import=tsx bench/profile-server.ts [--target udpchat|durable|stock|relay|batch] [--peers 50]
 *        [--rate 100] [--seconds 10] [--out DIR]
 *
 * The samples are wall-clock: on a busy machine a send during which the server was preempted
 * still counts as the send's. For CPU time alone, `perf record -g -p PID` with the server started
 * under `node --perf-basic-prof`.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LoadgenGroup } from './loadgen-group.js';
import { cli, nowUs } from './load-common.js';
import { cpuTimeMs } from './proc-stats.js';
import { startTarget, type TargetName } from './targets.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
/** The parts of a V8 .cpuprofile used here (sample times on the machine's monotonic clock, µs). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time (µs) per function of the samples taken between `fromUs` and `toUs` (monotonic clock). */
export function selfTimes(p: CpuProfile, fromUs: number, toUs: number): Map<string, number> {
  const names = new Map(p.nodes.map((n) => [n.id, `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`]));
  const out = new Map<string, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    const name = names.get(p.samples[i]!) ?? '?';
    out.set(name, (out.get(name) ?? 0) + dt);
  }
  return out;
}

async function main(): Promise<void> {
  const opts = cli('node --import=tsx bench/profile-server.ts', {
    '--target': { arg: 'udpchat|durable|stock|relay|batch', help: 'the server profiled (udpchat)' },
    '--peers': { arg: 'K', numbers: true, help: 'peers in the room (50)' },
    '--rate': { arg: 'N', numbers: true, help: 'messages/s (100)' },
    '--seconds': { arg: 'S', numbers: true, help: 'the measured step (10)' },
    '--out': { arg: 'DIR', help: 'where the .cpuprofile goes (bench/results/profile-<time>)' },
  });
  const target = opts.string('--target', 'udpchat') as TargetName;
  const peers = opts.number('--peers', 50);
  const rate = opts.number('--rate', 100);
  const seconds = opts.number('--seconds', 10);
  const out = path.resolve(opts.string('--out', path.join('bench', 'results', `profile-${Date.now()}`)));
  mkdirSync(out, { recursive: true });
  const server = await startTarget(target, [], ['--cpu-prof', '--cpu-prof-dir', out]);
  const gen = new LoadgenGroup(server.loadgen.script, server.loadgen.args, 2);
  let window: [number, number];
  try {
    const joined = await gen.join(peers, 1000, 30_000);
    if (joined.type !== 'joined') throw new Error(`join: ${joined.message}`);
    await gen.step(rate, 2, 2000);
    const cpu0 = cpuTimeMs(server.pid) ?? 0;
    const from = nowUs();
    const r = await gen.step(rate, seconds, 3000);
    window = [from, nowUs()];
    const cpu = (cpuTimeMs(server.pid) ?? cpu0) - cpu0;
    if (r.type === 'error') throw new Error(r.message);
    console.log(`${target} K=${peers} @${rate} msg/s for ${seconds} s: ${r.delivered}/${r.expectedDeliveries} delivered, p99 ${r.latency.p99Ms.toFixed(1)} ms; server ${cpu.toFixed(0)} ms CPU = ${((cpu * 1000) / r.delivered).toFixed(2)} µs/delivery (with the profiler on); peers received ${r.datagramsIn} datagrams`);
  } finally {
    await gen.close();
    await server.stop();
  }
  // V8 names the file CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: take this server's, not an
  // earlier run's left in the same directory.
  const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(server.pid));
  if (file === undefined) throw new Error(`no .cpuprofile of process ${server.pid} in ${out}`);
  const times = selfTimes(JSON.parse(readFileSync(path.join(out, file), 'utf8')) as CpuProfile, window[0], window[1]);
  const busy = [...times].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
  const total = busy.reduce((a, [, v]) => a + v, 0);
  console.log(`main thread busy ${(total / 1000).toFixed(0)} ms in the measured step; self time by function:`);
  for (const [k, v] of busy.slice(0, 25)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(5)} ms  ${k}`);
  console.log(`profile: ${path.join(out, file)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
