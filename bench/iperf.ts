/**
 * The physical baseline of `npm run bench`: the loopback UDP datagram rate for a given datagram
 * size, measured with iperf3 (`-u -b 0`: send as fast as possible, one stream) between an iperf3
 * server and client on 127.0.0.1, read from the client's JSON report (-J).
 * The bench installs nothing: without iperf3 it says how to get it and the caller skips the row.
 *
 * Standalone: node --import=tsx bench/iperf.ts [--size 80] [--seconds 3]
 */
import { pathToFileURL } from 'node:url';
import { runToEnd, startChild } from './child.js';
import { cli } from './load-common.js';
import { freePort } from './proc-stats.js';

export const IPERF_HINT = 'iperf3 not found: install it with `apt-get install -y iperf3` (the bench installs nothing); skipping the iperf3 baseline';

export interface IperfResult {
  /** Datagram payload size (bytes). */
  size: number;
  seconds: number;
  /** Datagrams the client sent per second. */
  sentPerSec: number;
  /** Datagrams the server received per second (sent − lost). */
  receivedPerSec: number;
  lossPercent: number;
}

/** True if an `iperf3` binary runs. */
export async function iperfAvailable(): Promise<boolean> {
  const r = await runToEnd('iperf3', ['--version'], 5000);
  return r.code === 0;
}

interface IperfSum {
  seconds?: number;
  packets?: number;
  lost_packets?: number;
  bytes?: number;
}

interface IperfJson {
  error?: string;
  end?: { sum_sent?: IperfSum; sum_received?: IperfSum; sum?: IperfSum };
}

/** Parses the client's `-J` report into a result. Throws if it carries an error or no totals. */
export function parseIperfJson(text: string, size: number): IperfResult {
  const j = JSON.parse(text) as IperfJson;
  if (j.error !== undefined) throw new Error(`iperf3: ${j.error}`);
  const sent = j.end?.sum_sent;
  const received = j.end?.sum_received ?? j.end?.sum;
  if (sent?.packets === undefined || received?.packets === undefined) throw new Error('iperf3: no totals in the report');
  const seconds = received.seconds ?? sent.seconds ?? 1;
  const lost = received.lost_packets ?? 0;
  return {
    size,
    seconds,
    sentPerSec: sent.packets / (sent.seconds ?? seconds),
    receivedPerSec: (received.packets - lost) / seconds,
    lossPercent: received.packets > 0 ? (100 * lost) / received.packets : 0,
  };
}

/** One iperf3 UDP run on loopback with `size`-byte datagrams, unlimited bitrate, for `seconds`. */
export async function runIperf(size: number, seconds: number): Promise<IperfResult> {
  const port = await freePort();
  const server = await startChild('iperf3', ['-s', '-1', '-B', '127.0.0.1', '-p', String(port), '--forceflush'], {
    readyPattern: /listening/i,
    timeoutMs: 5000,
  });
  try {
    const client = await runToEnd(
      'iperf3',
      ['-u', '-c', '127.0.0.1', '-p', String(port), '-l', String(size), '-b', '0', '-t', String(seconds), '-J'],
      (seconds + 10) * 1000,
    );
    return parseIperfJson(client.stdout, size);
  } finally {
    await server.stop(1000);
  }
}

async function main(): Promise<void> {
  const opts = cli('node --import=tsx bench/iperf.ts', {
    '--size': { arg: 'BYTES', numbers: true, help: 'datagram size (80)' },
    '--seconds': { arg: 'S', numbers: true, help: 'how long (3)' },
  });
  if (!(await iperfAvailable())) {
    console.log(IPERF_HINT);
    return;
  }
  const r = await runIperf(opts.number('--size', 80), opts.number('--seconds', 3));
  console.log(JSON.stringify(r));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
