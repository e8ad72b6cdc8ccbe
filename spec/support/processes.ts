/**
 * Helpers to run the real CLI (`node dist/bin/udp-chat.js …`) from specs: line collection,
 * bounded waits with the recent output in their errors, and a registry so that `cleanupAll()`
 * (call it from `afterEach`) kills every child still alive and closes every proxy.
 *
 * `npm test` builds dist/ before mocha; when running one file by hand, run `npm run build` first.
 */
import { XDG_ROOT } from './isolated-xdg.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from './fault-proxy.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI under test; UDPCHAT_CLI points the specs at another build (e.g. an installed package). */
/** Numbers each CLI process's own XDG_CONFIG_HOME. */
let configs = 0;

export const CLI_PATH = process.env['UDPCHAT_CLI'] ?? fileURLToPath(new URL('../../dist/bin/udp-chat.js', import.meta.url));

export type StreamName = 'stdout' | 'stderr';
/** A predicate may carry a `description` for error messages. */
export type LinePredicate = ((line: string) => boolean) & { description?: string };
export type LineMatcher = RegExp | LinePredicate;

export interface WaitOptions {
  /** Which stream to search (default stdout). */
  stream?: StreamName;
  /** Index of the first line to consider (default 0: lines already received count). */
  from?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const DEFAULT_WAIT_MS = 5000;
const KILL_GRACE_MS = 1000;
const TAIL_LINES = 15;

function matches(matcher: LineMatcher, line: string): boolean {
  return typeof matcher === 'function' ? matcher(line) : matcher.test(line);
}

function describeMatcher(matcher: LineMatcher): string {
  if (typeof matcher !== 'function') return `a line matching ${matcher}`;
  return matcher.description !== undefined ? `a line ${matcher.description}` : `a line satisfying ${matcher.name || 'a predicate'}`;
}

/** A spawned CLI process whose output is collected line by line. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly lines: Record<StreamName, string[]> = { stdout: [], stderr: [] };
  /** Raw stdout bytes, to check for bytes a string comparison could hide. */
  readonly stdoutChunks: Buffer[] = [];
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<Exit>;
  private exitInfo: Exit | undefined;
  private readonly partial: Record<StreamName, string> = { stdout: '', stderr: '' };
  private readonly decoders: Record<StreamName, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  private readonly listeners = new Set<() => void>();

  /** `prefix`: a command that runs the CLI, e.g. `['ip', 'netns', 'exec', 'ns1']` (spec/support/netns.ts). */
  /** `env`: variables set for this process over the inherited ones (e.g. a shared XDG_CONFIG_HOME). */
  constructor(
    readonly name: string,
    readonly args: readonly string[],
    prefix: readonly string[] = [],
    env: Readonly<Record<string, string>> = {},
  ) {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} does not exist: run \`npm run build\` first`);
    const argv = [...prefix, process.execPath, CLI_PATH, ...args];
    this.child = spawn(argv[0] as string, argv.slice(1), {
      cwd: REPO_ROOT,
      // Each process its own ~/.config (user key, known servers): ports are reused across specs
      // by servers with other keys; the server key (XDG_STATE_HOME) is shared by the run.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', XDG_CONFIG_HOME: join(XDG_ROOT, `config-${++configs}`), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdoutChunks.push(chunk);
      this.collect('stdout', chunk);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.collect('stderr', chunk));
    // Writing to a child that has gone gives EPIPE; the exit is what the specs look at.
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        for (const stream of ['stdout', 'stderr'] as const) this.flush(stream);
        this.exitInfo = { code, signal };
        this.notify();
        resolve(this.exitInfo);
      });
      this.child.once('error', (err) => {
        this.lines.stderr.push(`[spawn error] ${err.message}`);
      });
    });
    registry.children.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited and its output is drained. */
  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get stdout(): readonly string[] {
    return this.lines.stdout;
  }

  get stderr(): readonly string[] {
    return this.lines.stderr;
  }

  /** Everything written to stdout so far, as bytes. */
  stdoutBytes(): Buffer {
    return Buffer.concat(this.stdoutChunks);
  }

  /** Writes one line to stdin (a newline is added). */
  write(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Writes many lines in one go. */
  writeLines(lines: readonly string[]): void {
    if (lines.length > 0) this.child.stdin?.write(`${lines.join('\n')}\n`);
  }

  /** Closes stdin (EOF). */
  end(): void {
    this.child.stdin?.end();
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Waits for the first line (from `options.from`) matching; rejects on timeout or exit. */
  async waitForLine(matcher: LineMatcher, timeoutMs = DEFAULT_WAIT_MS, options: WaitOptions = {}): Promise<string> {
    const stream = options.stream ?? 'stdout';
    let found: string | undefined;
    await this.waitUntil(
      () => {
        found = this.lines[stream].slice(options.from ?? 0).find((line) => matches(matcher, line));
        return found !== undefined;
      },
      timeoutMs,
      `${describeMatcher(matcher)} on ${stream}`,
    );
    return found as string;
  }

  /** Waits until `count` lines (from `options.from`) match; returns them. */
  async waitForLines(matcher: LineMatcher, count: number, timeoutMs = DEFAULT_WAIT_MS, options: WaitOptions = {}): Promise<string[]> {
    const stream = options.stream ?? 'stdout';
    let found: string[] = [];
    await this.waitUntil(
      () => {
        found = this.lines[stream].slice(options.from ?? 0).filter((line) => matches(matcher, line));
        return found.length >= count;
      },
      timeoutMs,
      () => `${count} lines ${describeMatcher(matcher).replace(/^a line /, '')} on ${stream} (have ${found.length})`,
    );
    return found;
  }

  /**
   * Waits until `condition` (re-checked after every new line and at exit) holds. Rejects after
   * `timeoutMs`, or when the process exits first, with the last lines of output in the message.
   */
  waitUntil(condition: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
    const describe = (): string => (typeof what === 'string' ? what : what());
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (condition()) done();
        else if (!this.alive) done(new Error(this.explain(`exited (${this.exitText()}) before ${describe()}`)));
      };
      const timer = setTimeout(
        () => done(new Error(this.explain(`timed out after ${Date.now() - started} ms waiting for ${describe()}`))),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves with the exit once the process exits; rejects (with recent output) after `timeoutMs`. */
  async exitCode(timeoutMs = DEFAULT_WAIT_MS): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(this.explain(`did not exit within ${timeoutMs} ms`))), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = KILL_GRACE_MS): Promise<Exit> {
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }

  /** A description of this process and its last lines of output, for error messages. */
  explain(headline: string): string {
    const tail = (stream: StreamName): string =>
      this.lines[stream]
        .slice(-TAIL_LINES)
        .map((line) => `    | ${JSON.stringify(line).slice(1, -1)}`)
        .join('\n') || '    | (nothing)';
    return [
      `${this.name} (pid ${this.pid ?? '?'}, udp-chat ${this.args.join(' ')}) ${headline}`,
      `  last stdout (of ${this.lines.stdout.length} lines):`,
      tail('stdout'),
      `  last stderr (of ${this.lines.stderr.length} lines):`,
      tail('stderr'),
    ].join('\n');
  }

  /** 'running', 'code N' or 'signal S'. */
  exitText(): string {
    const info = this.exitInfo;
    if (!info) return 'running';
    return info.signal ? `signal ${info.signal}` : `code ${info.code}`;
  }

  private collect(stream: StreamName, chunk: Buffer): void {
    const text = this.partial[stream] + this.decoders[stream].write(chunk);
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const part of parts) this.lines[stream].push(part.endsWith('\r') ? part.slice(0, -1) : part);
    if (parts.length > 0) this.notify();
  }

  private flush(stream: StreamName): void {
    const rest = this.partial[stream] + this.decoders[stream].end();
    this.partial[stream] = '';
    if (rest !== '') this.lines[stream].push(rest);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

const registry = {
  children: new Set<CliProcess>(),
  proxies: new Set<FaultProxy>(),
};

/** Spawns `udp-chat <args>` and registers it for cleanup. */
export function runCli(name: string, args: readonly string[], prefix: readonly string[] = [], env: Readonly<Record<string, string>> = {}): CliProcess {
  return new CliProcess(name, args, prefix, env);
}

export interface ServerHandle {
  proc: CliProcess;
  port: number;
}

/**
 * Starts `udp-chat serve` on 127.0.0.1 (port 0 unless `--port` is among `args`) and waits for
 * its `listening on 127.0.0.1:<port>` line.
 */
export async function startServer(args: readonly string[] = [], timeoutMs = DEFAULT_WAIT_MS): Promise<ServerHandle> {
  const full = ['serve', '--host', '127.0.0.1', ...(args.includes('--port') ? [] : ['--port', '0']), ...args];
  const proc = runCli('server', full);
  const line = await proc.waitForLine(/listening/, timeoutMs);
  const match = /127\.0\.0\.1:(\d+)/.exec(line);
  if (!match?.[1]) throw new Error(proc.explain(`printed ${JSON.stringify(line)} without 127.0.0.1:<port>`));
  return { proc, port: Number(match[1]) };
}

export interface ClientOptions {
  /** Extra arguments after the standard ones. */
  extraArgs?: readonly string[];
  /** Wait for `* you joined as <nick>` (default true). */
  waitJoined?: boolean;
  timeoutMs?: number;
}

/** Starts `udp-chat join --plain` as `nick` against 127.0.0.1:`port`. */
export async function startClient(nick: string, port: number, options: ClientOptions = {}): Promise<CliProcess> {
  const args = ['join', '--nick', nick, '--server', `127.0.0.1:${port}`, '--plain', ...(options.extraArgs ?? [])];
  const proc = runCli(nick, args);
  if (options.waitJoined ?? true) await proc.waitForLine(/\* you joined as /, options.timeoutMs ?? DEFAULT_WAIT_MS);
  return proc;
}

/** Starts a fault proxy and registers it for cleanup. */
export async function startProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = await startFaultProxy(options);
  registry.proxies.add(proxy);
  return proxy;
}

/** A UDP port on 127.0.0.1 that nothing listens on (just released; good enough on loopback). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: '127.0.0.1', port: 0 }, resolve));
  const { port } = socket.address() as AddressInfo;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface CleanupOptions {
  /** Print every process's recent output first (pass `this.currentTest?.state === 'failed'`). */
  dumpOutput?: boolean;
  graceMs?: number;
}

/**
 * Kills every registered child still alive (SIGTERM, SIGKILL after a grace period) and closes
 * every proxy. Call from `afterEach`:
 * `afterEach(function () { return cleanupAll({ dumpOutput: this.currentTest?.state === 'failed' }); })`.
 */
export async function cleanupAll(options: CleanupOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? KILL_GRACE_MS;
  const children = [...registry.children];
  const proxies = [...registry.proxies];
  registry.children.clear();
  registry.proxies.clear();
  if (options.dumpOutput) {
    for (const c of children) console.log(c.explain(c.alive ? 'still running at the failure' : `had exited (${c.exitText()})`));
  }
  await Promise.all([...children.map((c) => c.stop(graceMs)), ...proxies.map((p) => p.close())]);
  for (const c of children) {
    c.child.stdin?.destroy();
    c.child.stdout?.destroy();
    c.child.stderr?.destroy();
  }
}

// ---- Parsing line-mode output ----------------------------------------------------------------

const MESSAGE_LINE = /^\d\d:\d\d:\d\d ([^\s:*][^\s:]*): (.*)$/;

export interface ChatLine {
  nick: string;
  text: string;
  history: boolean;
}

/** Chat messages printed by a line-mode client (`HH:MM:SS <nick>: <text>`), with history marked. */
export function chatMessages(lines: readonly string[]): ChatLine[] {
  const out: ChatLine[] = [];
  let inHistory = false;
  for (const line of lines) {
    if (line === '-- history --') inHistory = true;
    else if (line === '-- end of history --') inHistory = false;
    else {
      const m = MESSAGE_LINE.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) out.push({ nick: m[1], text: m[2], history: inHistory });
    }
  }
  return out;
}

/** A predicate matching the message line `HH:MM:SS <nick>: <text>` exactly. */
export function messageLine(nick: string, text: string): LinePredicate {
  const suffix = ` ${nick}: ${text}`;
  const isMessage = (line: string): boolean => /^\d\d:\d\d:\d\d /.test(line) && line.slice(8) === suffix;
  return Object.assign(isMessage, { description: `"HH:MM:SS${JSON.stringify(suffix).slice(1, -1)}"` });
}

/** The seed for a seeded scenario: UDPCHAT_SEED when set (to replay a failure), else a random one. */
export function seedFromEnv(): number {
  const fromEnv = process.env['UDPCHAT_SEED'];
  return fromEnv !== undefined ? Number(fromEnv) : randomInt(2 ** 31 - 1);
}
