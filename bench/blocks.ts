/**
 * One measurement block: a fresh target process, a fresh load generator, K peers joining within
 * a second (the join storm), the rate search, a step at a fixed rate, CPU from /proc. And the
 * fixed-rate step of several systems at the same time (runFixedTogether), where CPU per delivery
 * is compared.
 */
import { LoadgenGroup } from './loadgen-group.js';
import type { JoinResult } from './loadgen-protocol.js';
import { cpuTimeMs } from './proc-stats.js';
import { CRITERIA, measureStep, searchRate, type SearchResult, type StepRecord } from './search.js';
import { isUdpChat, startTarget, type Running, type TargetName } from './targets.js';
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
  /**
   * Warm-up before the fixed step, the same for every system (messages/s for `warmSeconds`, not
   * measured): a server that has run for a while has its code compiled by V8's optimizing tier;
   * measured cold, the first seconds at 100 msg/s are mostly the JIT at work (a perf profile of
   * udp-chat's server showed 14 % of its CPU in TurboFan compile jobs right after the joins).
   */
  warmRate: number;
  warmSeconds: number;
  /**
   * After the fixed step, the server's CPU with the room joined and nobody saying anything, for
   * this long (0: not measured): what the second after the traffic costs (tail SYNCs, PONGs, V8's memory reducer), to read beside its CPU per delivery.
   */
  idleSeconds: number;
  fixedSeconds: number;
  maxRate: number;
  maxDeliveriesPerSec: number;
  deadline: number;
  joinSpreadMs: number;
  /** Load generator processes sharing the room. */
  loadgens: number;
}

export interface BlockResult {
  target: TargetName;
  peers: number;
  rep: number;
  join: JoinResult | undefined;
  joinServerCpuMs: number;
  search: SearchResult | undefined;
  fixed: StepRecord | undefined;
  /** Server CPU ms per second while the joined room was silent (after the fixed step). */
  idleCpuMsPerSec?: number;
  /** The fixed step run side by side with the other compared systems (runFixedTogether), where CPU per delivery is compared. */
  together?: FixedResult;
  /** Summary lines the server printed when it stopped (udp-chat: "stopped: …"). */
  serverSummary: string[];
  loadgenStderr: string[];
  error: string | undefined;
  /** Times the block started over because the server cut peers off. */
  restarts: number;
  wallMs: number;
}

const MAX_RESTARTS = 4;

/** The server's CPU ms per second over `seconds` of silence, once the load generators are settled. */
async function idleCpu(g: LoadgenGroup, pid: number, seconds: number, settleMs: number): Promise<number> {
  await g.settle(settleMs);
  const [cpu0, t0] = [cpuTimeMs(pid) ?? 0, performance.now()];
  await sleep(seconds * 1000);
  return (((cpuTimeMs(pid) ?? cpu0) - cpu0) * 1000) / (performance.now() - t0);
}

/**
 * A fresh server of `target`, its load generators and K peers joining within `o.joinSpreadMs`;
 * `started` is told of the server and the generators as soon as they exist, so that the caller
 * stops them even when the join fails.
 */
async function joinRoom(
  target: TargetName,
  peers: number,
  o: BlockOptions,
  started: (t: Running, g: LoadgenGroup) => void,
): Promise<{ t: Running; g: LoadgenGroup; joined: Extract<JoinResult, { type: 'joined' }>; joinCpuMs: number }> {
  const t = await startTarget(target);
  const g = new LoadgenGroup(t.loadgen.script, t.loadgen.args, o.loadgens);
  started(t, g);
  await sleep(200);
  const cpu0 = cpuTimeMs(t.pid) ?? 0;
  const joined = await g.join(peers, o.joinSpreadMs, 30_000);
  if (joined.type !== 'joined') throw new Error(`join: ${joined.message}`);
  return { t, g, joined, joinCpuMs: (cpuTimeMs(t.pid) ?? cpu0) - cpu0 };
}

/** Throws unless at least two peers are online (a room to measure). */
function enoughOnline(joined: Extract<JoinResult, { type: 'joined' }>, peers: number): void {
  if (joined.online >= 2) return;
  const silent = /, 0 in,/.test(joined.detail) ? ' — the server answered nothing: is dist/ built from the same lib/protocol as the bench? (npm run build)' : '';
  throw new Error(`only ${joined.online} of ${peers} peers online${silent}`);
}

export async function runBlock(target: TargetName, peers: number, rep: number, o: BlockOptions): Promise<BlockResult> {
  const t0 = performance.now();
  const r: BlockResult = {
    target,
    peers,
    rep,
    join: undefined,
    joinServerCpuMs: 0,
    search: undefined,
    fixed: undefined,
    serverSummary: [],
    loadgenStderr: [],
    error: undefined,
    restarts: 0,
    wallMs: 0,
  };
  let running: Running | undefined;
  let gen: LoadgenGroup | undefined;
  let restarts = 0;
  const stop = async (): Promise<void> => {
    await gen?.close();
    if (running !== undefined) {
      await running.stop();
      r.serverSummary.push(...running.output.filter((l) => /stopped:|stats/.test(l)).slice(-3));
    }
    if (gen !== undefined) r.loadgenStderr.push(...gen.stderr.slice(-10));
    gen = undefined;
    running = undefined;
  };
  /** Fresh server + load generator + K peers joined; the first time also measures the join. */
  const begin = async (): Promise<[Running, LoadgenGroup]> => {
    const room = await joinRoom(target, peers, o, (t, g) => {
      running = t;
      gen = g;
    });
    if (r.join === undefined) {
      r.join = room.joined;
      r.joinServerCpuMs = room.joinCpuMs;
    }
    enoughOnline(room.joined, peers);
    return [room.t, room.g];
  };
  try {
    let [t, g] = await begin();
    const step = (rate: number, seconds: number): Promise<StepRecord> => measureStep(g, t.pid, rate, seconds, o.drainMs, CRITERIA, isUdpChat(target));
    // The fixed rate first: a search step past a server limit may cut peers off.
    if (o.fixedRate > 0 && Date.now() < o.deadline) {
      if (o.warmRate > 0) await g.step(o.warmRate, o.warmSeconds, o.drainMs);
      r.fixed = await step(o.fixedRate, o.fixedSeconds);
      // After the step, not before: the warm-up's background compilation (V8 threads) is over by then.
      if (o.idleSeconds > 0) r.idleCpuMsPerSec = await idleCpu(g, t.pid, o.idleSeconds, o.drainMs);
    }
    if (o.search) {
      r.search = await searchRate((rate) => step(rate, o.stepSeconds), peers, {
        start: o.start,
        factor: o.factor,
        bisections: o.bisections,
        maxRate: o.maxRate,
        maxDeliveriesPerSec: o.maxDeliveriesPerSec,
        deadline: o.deadline,
        // Peers cut off by a server limit: start over with a fresh server and room, then go on.
        recover: async () => {
          if (restarts >= MAX_RESTARTS || Date.now() > o.deadline) return false;
          restarts++;
          await stop();
          [t, g] = await begin();
          // Warm up the fresh processes (JIT, send windows) before measuring again.
          await step(Math.max(10, o.start / 4), 0.5).catch(() => undefined);
          return true;
        },
      });
    }
  } catch (e) {
    r.error = e instanceof Error ? e.message : String(e);
  } finally {
    await stop();
    r.restarts = restarts;
    r.wallMs = performance.now() - t0;
  }
  return r;
}

/** What runFixedTogether measured of one system. */
export interface FixedResult {
  fixed: StepRecord | undefined;
  idleCpuMsPerSec?: number;
  error?: string;
}

/**
 * The fixed-rate step of several systems at the same time: each its own fresh server, load
 * generator and K peers, the same warm-up side by side, then the measured step and the idle window
 * of all of them together. A low-rate step's CPU per delivery moves 2–4× between runs minutes apart
 * on this kind of machine (a VM: what its host does, how deep the cores sleep between datagrams);
 * side by side, whatever the machine does to one system it does to the others, so their ratio
 * holds (udp-chat ÷ naive relay at K = 10 on 2026-12-04: 0.66× and 2.02× as medians of runs one
 * after the other, 1.40–1.78× side by side over five runs).
 */
export async function runFixedTogether(targets: readonly TargetName[], peers: number, options: (t: TargetName) => BlockOptions): Promise<Map<TargetName, FixedResult>> {
  const out = new Map<TargetName, FixedResult>();
  const live: { target: TargetName; o: BlockOptions; t: Running; g: LoadgenGroup }[] = [];
  const fail = (target: TargetName, e: unknown): void => {
    out.set(target, { fixed: undefined, error: e instanceof Error ? e.message : String(e) });
  };
  try {
    await Promise.all(
      targets.map(async (target) => {
        const o = options(target);
        try {
          const room = await joinRoom(target, peers, o, (t, g) => live.push({ target, o, t, g }));
          enoughOnline(room.joined, peers);
        } catch (e) {
          fail(target, e);
        }
      }),
    );
    // Those that started and joined (a failure takes one system out, not the others).
    const each = async (f: (l: (typeof live)[number]) => Promise<void>): Promise<void> => {
      await Promise.all(live.filter((l) => out.get(l.target)?.error === undefined).map((l) => f(l).catch((e: unknown) => fail(l.target, e))));
    };
    await each(async (l) => {
      if (l.o.warmRate > 0) await l.g.step(l.o.warmRate, l.o.warmSeconds, l.o.drainMs);
    });
    await each(async (l) => {
      out.set(l.target, { fixed: await measureStep(l.g, l.t.pid, l.o.fixedRate, l.o.fixedSeconds, l.o.drainMs, CRITERIA, isUdpChat(l.target)) });
    });
    await each(async (l) => {
      const r = out.get(l.target);
      if (r?.fixed !== undefined && l.o.idleSeconds > 0) r.idleCpuMsPerSec = await idleCpu(l.g, l.t.pid, l.o.idleSeconds, l.o.drainMs);
    });
  } finally {
    await Promise.all(live.map(async (l) => {
      await l.g.close();
      await l.t.stop();
    }));
  }
  return out;
}
