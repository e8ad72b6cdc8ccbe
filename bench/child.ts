/**
 * Starting and stopping the processes under test (udp-chat server, relay, Python seed, iperf3):
 * spawn, wait for the ready line on stdout (bounded in time), keep the last output lines, stop
 * with SIGTERM then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The match of the ready pattern. */
  ready: RegExpExecArray;
  /** Last lines of stdout and stderr (bounded). */
  output: string[];
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP_LINES = 200;

/** Every process the bench started and that is still running, so a Ctrl-C can end them. */
export const LIVE = new Set<ChildProcess>();

/** Registers a child in {@link LIVE} until it exits. */
export function track(proc: ChildProcess): ChildProcess {
  LIVE.add(proc);
  proc.once('exit', () => LIVE.delete(proc));
  return proc;
}

/** Ends every child still running (by its own pid), e.g. on SIGINT of the orchestrator. */
export function killAll(): void {
  for (const p of LIVE) p.kill('SIGKILL');
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A stdout/stderr line that says the process is ready. */
  readyPattern: RegExp;
  timeoutMs: number;
}

/** Spawns `cmd args` and resolves once a line matches `readyPattern`; rejects on exit or timeout. */
export function startChild(cmd: string, args: readonly string[], opts: StartOptions): Promise<Child> {
  const proc = track(spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise<Child>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => fail(new Error(`${cmd} not ready after ${opts.timeoutMs} ms: ${output.slice(-5).join(' | ')}`)), opts.timeoutMs);
    const fail = (e: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(e);
    };
    const onLine = (line: string): void => {
      output.push(line);
      if (output.length > KEEP_LINES) output.shift();
      const m = opts.readyPattern.exec(line);
      if (m === null || done || proc.pid === undefined) return;
      done = true;
      clearTimeout(timer);
      const child: Child = {
        proc,
        pid: proc.pid,
        ready: m,
        output,
        exited,
        stop: (graceMs = 3000) => stopChild(proc, exited, graceMs),
      };
      resolve(child);
    };
    if (proc.stdout) createInterface({ input: proc.stdout }).on('line', onLine);
    if (proc.stderr) createInterface({ input: proc.stderr }).on('line', onLine);
    proc.once('error', (e) => fail(e));
    void exited.then((code) => fail(new Error(`${cmd} exited with ${code} before it was ready: ${output.slice(-5).join(' | ')}`)));
  });
}

async function stopChild(proc: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to completion (bounded in time) and returns its exit code and output. */
export function runToEnd(
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(e) });
    });
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
