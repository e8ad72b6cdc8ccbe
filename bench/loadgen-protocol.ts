/**
 * How the orchestrator (bench/run.ts) drives the load generator processes (bench/loadgen.ts): one
 * JSON command per line on the child's stdin, one JSON reply per line on its stdout. Keeping the
 * load generators in their own processes keeps their CPU apart from the orchestrator's, lets the
 * bench report it, and lets several of them share one room (peers `first` … `first + peers − 1`
 * of `total`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { track } from './child.js';
import type { LatencySummary } from './histogram.js';
import type { StepHistograms } from './load-common.js';

export type Command =
  /**
   * Join peers `first` … `first + peers − 1` of a room of `total`, their first JOINs spread over
   * `spreadMs`; reply when all are online or at `timeoutMs`.
   */
  | { cmd: 'join'; peers: number; first: number; total: number; spreadMs: number; timeoutMs: number }
  /**
   * Send `rate` messages/s (round robin over this process's peers) for `seconds`, then wait up to
   * `drainMs` until this process's peers have `roomOffered` messages each (all processes' offer,
   * their own excepted).
   */
  | { cmd: 'step'; rate: number; seconds: number; drainMs: number; roomOffered: number }
  /** Wait (up to `maxMs`) until no message of an earlier step is still unsent or unacknowledged. */
  | { cmd: 'settle'; maxMs: number }
  | { cmd: 'quit' };

export interface JoinResult {
  type: 'joined';
  peers: number;
  online: number;
  /** From the first JOIN (or connect) to the last peer online. */
  allOnlineMs: number;
  /** Peers refused or never online. */
  failed: number;
  errors: Record<string, number>;
  /** Every online peer caught up with the room (UDP: all join entries delivered, no gap). */
  consistent: boolean;
  /** From the first JOIN until every peer had caught up (null: not within the timeout). */
  caughtUpMs: number | null;
  detail: string;
}

export interface StepResult {
  type: 'step';
  rate: number;
  seconds: number;
  /** Messages the pacer created in the step. */
  offered: number;
  /** Messages the server acknowledged during the step window (udp-chat) or sent (relays). */
  acceptedInWindow: number;
  /** Messages acknowledged by the end of the drain (udp-chat) or sent (relays). */
  accepted: number;
  /** Deliveries expected (each offered message × its receivers but its sender) and made, exactly once, in order. */
  expectedDeliveries: number;
  delivered: number;
  /** Expected deliveries missing at the end of the drain, as a fraction. */
  loss: number;
  /** Messages delivered again, or after a newer one from the same sender (must be 0). */
  duplicates: number;
  /** Messages passed over at a receiver (a newer one from the same sender came first): lost for good. */
  skipped: number;
  /** p50 latency of messages created in the first and the last quarter of the window (growth = a queue building up). */
  earlyP50Ms: number;
  lateP50Ms: number;
  /** From the start of the window to the last acknowledgement / delivery of this step. */
  lastAcceptMs: number;
  lastDeliveryMs: number;
  /** Datagrams received by all peers during the step (what the server sent them). */
  datagramsIn: number;
  datagramsOut: number;
  latency: LatencySummary;
  /** The latency histograms behind `latency`, `earlyP50Ms` and `lateP50Ms` (to merge processes). */
  hist: StepHistograms;
  /** Peers online (each one a receiver) in this process. */
  receivers: number;
  /** Wall time of the step window and of the drain. */
  windowMs: number;
  drainMs: number;
  /** Load generator CPU (user + system) over window + drain, and as a share of one core. */
  loadgenCpuMs: number;
  loadgenCpuShare: number;
  /** Load generator CPU during the window alone (the drain is mostly idle), share of one core. */
  loadgenWindowCpuShare: number;
  /** Event-loop delay of the load generator (p99 / max, ms): large values mean it was the bottleneck. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Pacer created fewer messages than planned: the load generator could not keep up. */
  pacerBehind: boolean;
  errors: Record<string, number>;
  /** Step-specific extra numbers (e.g. entries per DATA). */
  extra: Record<string, number>;
}

export type Reply = JoinResult | StepResult | { type: 'settled'; ms: number; pending: number } | { type: 'bye' } | { type: 'error'; message: string };

/** Child side: calls `handle` for every command line, writes each reply as one JSON line. */
export function serveCommands(handle: (c: Command) => Promise<Reply>): void {
  const rl = createInterface({ input: process.stdin });
  let chain = Promise.resolve();
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      let reply: Reply;
      try {
        reply = await handle(JSON.parse(line) as Command);
      } catch (e) {
        reply = { type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
      }
      process.stdout.write(`${JSON.stringify(reply)}\n`);
      if (reply.type === 'bye') setTimeout(() => process.exit(0), 50);
    });
  });
  rl.on('close', () => setTimeout(() => process.exit(0), 50));
}

/** Orchestrator side: a load generator process and a way to send it commands. */
export class LoadgenProcess {
  private readonly proc: ChildProcess;
  private readonly waiting: ((r: Reply) => void)[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(script: string, args: readonly string[]) {
    this.proc = track(spawn(process.execPath, ['--import=tsx', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let reply: Reply;
      try {
        reply = JSON.parse(line) as Reply;
      } catch {
        this.stderr.push(line);
        return;
      }
      this.waiting.shift()?.(reply);
    });
    createInterface({ input: this.proc.stderr! }).on('line', (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 100) this.stderr.shift();
    });
    void this.exited.then(() => {
      for (const w of this.waiting.splice(0)) w({ type: 'error', message: `load generator exited: ${this.stderr.slice(-5).join(' | ')}` });
    });
  }

  /** Sends a command; resolves with the reply, or an error reply after `timeoutMs`. */
  request(c: Command, timeoutMs: number): Promise<Reply> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(done);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve({ type: 'error', message: `no reply to ${c.cmd} within ${timeoutMs} ms` });
      }, timeoutMs);
      const done = (r: Reply): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.waiting.push(done);
      this.proc.stdin!.write(`${JSON.stringify(c)}\n`);
    });
  }

  /** Asks it to quit, then kills it if it does not exit within `graceMs`. */
  async close(graceMs = 3000): Promise<void> {
    if (this.proc.exitCode !== null) return;
    void this.request({ cmd: 'quit' }, graceMs);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
