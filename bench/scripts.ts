/**
 * The standalone bench scripts that `npm run bench` runs as phases, each in its own process, and
 * what their output says: the full-screen client in tmux (tui-load.ts), the durable server's
 * writes (durable-load.ts) and its restart time (store-restart.ts), what sealing costs
 * (seal-costs.ts), the server core with rooms (rooms-core.ts) and a member's latency under
 * floods (flood.ts). The parsers are pure (specs in spec/bench/).
 */
import path from 'node:path';
import { runToEnd } from './child.js';
import { HERE } from './targets.js';

/** One row of tui-load.ts's table, by its column names (numbers where they parse). */
export type TableRow = Record<string, number | string>;

/** What a script printed: the parsed figures, or why there are none. */
export interface ScriptResult<T> {
  command: string;
  result: T | undefined;
  error: string | undefined;
}

/** Rows of a `a | b | c` table (the first such line is the header); other lines are ignored. */
export function parsePipeTable(text: string): TableRow[] {
  // A Markdown separator row (| --- | --- |) is not a row.
  const lines = text.split('\n').filter((l) => l.includes(' | ') && !/^\|?\s*-{3}/.test(l.trim()));
  const [head, ...body] = lines;
  if (head === undefined) return [];
  const cellsOf = (line: string): string[] => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const names = cellsOf(head);
  return body.map((line) => {
    const cells = cellsOf(line);
    const row: TableRow = {};
    names.forEach((n, i) => {
      const c = cells[i] ?? '';
      row[n] = c !== '' && Number.isFinite(Number(c)) ? Number(c) : c;
    });
    return row;
  });
}

export interface DurableLoadLine {
  durable: boolean;
  rate: number;
  delivered: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  flushesPerSec?: number;
  bytesPerMessage?: number;
  recordsPerFlush?: number;
}

/** The result lines of durable-load.ts. */
export function parseDurableLoad(text: string): DurableLoadLine[] {
  const out: DurableLoadLine[] = [];
  const re = /^(in-memory|durable)\s+(\d+) msg\/s: (\d+)\/(\d+) delivered, p50 ([\d.]+) ms, p99 ([\d.]+) ms(?:; (\d+) flushes\/s, (\d+) bytes written per message \(([\d.]+) records per flush\))?/;
  for (const line of text.split('\n')) {
    const m = re.exec(line.trim());
    if (m === null) continue;
    const l: DurableLoadLine = { durable: m[1] === 'durable', rate: Number(m[2]), delivered: Number(m[3]), expected: Number(m[4]), p50Ms: Number(m[5]), p99Ms: Number(m[6]) };
    if (m[7] !== undefined) {
      l.flushesPerSec = Number(m[7]);
      l.bytesPerMessage = Number(m[8]);
      l.recordsPerFlush = Number(m[9]);
    }
    out.push(l);
  }
  return out;
}

export interface RestartResult {
  messages: number;
  storeBytesPerMessage: number;
  openMs: number;
  coreMs: number;
  totalMs: number;
}

/** The two result lines of store-restart.ts. */
export function parseStoreRestart(text: string): RestartResult | undefined {
  const size = /(\d+) messages \(.*\), store [\d.]+ MB = (\d+) bytes\/message/.exec(text);
  const time = /store opened and checked in (\d+) ms, core ready in (\d+) ms, total (\d+) ms/.exec(text);
  if (size === null || time === null) return undefined;
  return { messages: Number(size[1]), storeBytesPerMessage: Number(size[2]), openMs: Number(time[1]), coreMs: Number(time[2]), totalMs: Number(time[3]) };
}

async function run<T>(script: string, args: readonly string[], timeoutMs: number, parse: (stdout: string) => T | undefined): Promise<ScriptResult<T>> {
  const command = `node --import=tsx bench/${script} ${args.join(' ')}`.trim();
  const r = await runToEnd(process.execPath, ['--import=tsx', path.join(HERE, script), ...args], timeoutMs);
  const result = r.code === 0 ? parse(r.stdout) : undefined;
  const why = r.code === 0 ? 'nothing to parse in its output' : `exit ${r.code ?? 'by signal (timeout)'}`;
  return { command, result, error: result === undefined ? `${why}: ${(r.stderr.trim().split('\n').at(-1) ?? '') || r.stdout.trim().split('\n').at(-1) || ''}` : undefined };
}

/** A script's `|` table, or undefined if it printed none. */
function table(out: string): TableRow[] | undefined {
  const rows = parsePipeTable(out);
  return rows.length > 0 ? rows : undefined;
}

/** The full-screen client in tmux at the given incoming rates (bench/tui-load.ts). */
export function tuiLoad(rates: readonly number[], seconds: number): Promise<ScriptResult<TableRow[]>> {
  return run('tui-load.ts', ['--rates', rates.join(','), '--seconds', String(seconds)], (rates.length * (seconds + 10) + 40) * 1000, table);
}

/** In-memory and durable server, same traffic, K clients (bench/durable-load.ts). */
export function durableLoad(peers: number, rates: readonly number[], seconds: number): Promise<ScriptResult<DurableLoadLine[]>> {
  return run('durable-load.ts', [String(peers), rates.join(','), String(seconds)], (rates.length * 2 * (seconds + 15) + 30) * 1000, (out) => {
    const lines = parseDurableLoad(out);
    return lines.length > 0 ? lines : undefined;
  });
}

/** Restart time of a durable server with `messages` stored (bench/store-restart.ts). */
export function storeRestart(messages: number): Promise<ScriptResult<RestartResult>> {
  return run('store-restart.ts', [String(messages)], 120_000, parseStoreRestart);
}

/** What sealing costs per datagram and per handshake (bench/seal-costs.ts: a where | operation | µs table). */
export function sealCosts(): Promise<ScriptResult<TableRow[]>> {
  return run('seal-costs.ts', [], 60_000, table);
}

/** The server core alone with rooms (bench/rooms-core.ts), `seconds` per row. */
export function roomsCore(seconds: number): Promise<ScriptResult<TableRow[]>> {
  return run('rooms-core.ts', [String(seconds)], (4 * seconds + 30) * 1000, table);
}

/** A member's latency under floods of garbage and spoofed joins, cleartext and sealed server (bench/flood.ts). */
export function flood(rates: readonly number[], seconds: number): Promise<ScriptResult<TableRow[]>> {
  return run('flood.ts', ['--rates', rates.join(','), '--seconds', String(seconds)], ((2 + 3 * rates.length) * (seconds + 25) + 30) * 1000, table);
}
