/**
 * One measurement block: a fresh target process, a fresh load generator, K peers joining within
 * a second (the join storm), the rate search, a step at a fixed rate, memory and CPU from /proc.
 */
import { LoadgenProcess, type JoinResult, type StallResult } from './loadgen-protocol.js';
import { counterDelta, cpuTimeMs, memory, udpCounters, type Memory } from './proc-stats.js';
import { CRITERIA, measureStep, searchRate, type SearchResult, type StepRecord } from './search.js';
import { startTarget, type TargetName } from './targets.js';
import { sleep } from './load-common.js';

export interface BlockOptions {
  search: boolean;
  /** First rate of the search (messages/s). */
  start: number;
  factor: number;
  bisections: number;
  stepSeconds: number;
  drainMs: number;
  /** Fixed-rate step (messages/s), or 0 for none. */
  fixedRate: number;
  fixedSeconds: number;
  maxRate: number;
  maxDeliveriesPerSec: number;
  deadline: number;
  joinSpreadMs: number;
}

export interface BlockResult {
  target: TargetName;
  peers: number;
  rep: number;
  join: JoinResult | undefined;
  joinServerCpuMs: number;
  memIdle: Memory | undefined;
  memJoined: Memory | undefined;
  memEnd: Memory | undefined;
  /** (RSS after the join − RSS before) / K, bytes. */
  rssPerPeerBytes: number | undefined;
  search: SearchResult | undefined;
  fixed: StepRecord | undefined;
  udp: Record<string, number>;
  /** Summary lines the server printed when it stopped (udp-chat: "stopped: …"). */
  serverSummary: string[];
  loadgenStderr: string[];
  error: string | undefined;
  wallMs: number;
}

export async function runBlock(target: TargetName, peers: number, rep: number, o: BlockOptions): Promise<BlockResult> {
  const t0 = performance.now();
  const udp0 = udpCounters();
  const r: BlockResult = {
    target,
    peers,
    rep,
    join: undefined,
    joinServerCpuMs: 0,
    memIdle: undefined,
    memJoined: undefined,
    memEnd: undefined,
    rssPerPeerBytes: undefined,
    search: undefined,
    fixed: undefined,
    udp: {},
    serverSummary: [],
    loadgenStderr: [],
    error: undefined,
    wallMs: 0,
  };
  const running = await startTarget(target).catch((e: unknown) => {
    r.error = `start: ${e instanceof Error ? e.message : String(e)}`;
    return undefined;
  });
  if (running === undefined) return r;
  const gen = new LoadgenProcess(running.loadgen.script, running.loadgen.args);
  try {
    await sleep(200);
    r.memIdle = memory(running.pid);
    const cpu0 = cpuTimeMs(running.pid) ?? 0;
    const joined = await gen.request({ cmd: 'join', peers, spreadMs: o.joinSpreadMs, timeoutMs: 30_000 }, 60_000);
    if (joined.type !== 'joined') throw new Error(`join: ${joined.type === 'error' ? joined.message : joined.type}`);
    r.join = joined;
    r.joinServerCpuMs = (cpuTimeMs(running.pid) ?? cpu0) - cpu0;
    r.memJoined = memory(running.pid);
    if (r.memIdle !== undefined && r.memJoined !== undefined) r.rssPerPeerBytes = (r.memJoined.rssBytes - r.memIdle.rssBytes) / peers;
    if (joined.online < 2) throw new Error(`only ${joined.online} of ${peers} peers online`);
    const step = (rate: number, seconds: number): Promise<StepRecord> => measureStep(gen, running.pid, rate, seconds, o.drainMs, CRITERIA, target !== 'relay');
    // The fixed rate first: a search step past a server limit may cut peers off.
    if (o.fixedRate > 0 && Date.now() < o.deadline) r.fixed = await step(o.fixedRate, o.fixedSeconds);
    if (o.search) {
      r.search = await searchRate((rate) => step(rate, o.stepSeconds), peers, {
        start: o.start,
        factor: o.factor,
        bisections: o.bisections,
        maxRate: o.maxRate,
        maxDeliveriesPerSec: o.maxDeliveriesPerSec,
        deadline: o.deadline,
      });
    }
    r.memEnd = memory(running.pid);
  } catch (e) {
    r.error = e instanceof Error ? e.message : String(e);
  } finally {
    await gen.close();
    await running.stop();
    r.serverSummary = running.output.filter((l) => /stopped:|stats/.test(l)).slice(-3);
    r.loadgenStderr = gen.stderr.slice(-10);
    r.udp = counterDelta(udp0, udpCounters());
    r.wallMs = performance.now() - t0;
  }
  return r;
}

/** The seed's one-client-stops-reading experiment (TCP), K peers. */
export async function runStall(peers: number, rate: number, seconds: number, stopAt: number, stopFor: number): Promise<StallResult | { error: string }> {
  const running = await startTarget('seed');
  const gen = new LoadgenProcess(running.loadgen.script, running.loadgen.args);
  try {
    const joined = await gen.request({ cmd: 'join', peers, spreadMs: 500, timeoutMs: 20_000 }, 30_000);
    if (joined.type !== 'joined' || joined.online < peers) return { error: `join: ${JSON.stringify(joined)}` };
    const res = await gen.request({ cmd: 'stall', rate, seconds, stopAtSeconds: stopAt, stopSeconds: stopFor, textBytes: 900 }, (seconds + 30) * 1000);
    return res.type === 'stall' ? res : { error: JSON.stringify(res) };
  } finally {
    await gen.close();
    await running.stop();
  }
}
