/**
 * The two relay baselines of `npm run bench`. Both record the source address of every JOIN
 * (udp-chat header, type 0x01) and forward it at once to every recorded peer. Other datagrams:
 * - naive (default): each one forwarded as is to every recorded peer (the sender too);
 * - `--batch`: collected during one event-loop turn and forwarded packed (bench/batch-format.ts),
 *   several messages per datagram, flushed once per turn as udp-chat's server does.
 * Nothing else: no sequence numbers, acks, retransmission, history, limits or security, so
 * udp-chat against the batching relay shows what reliability and safety cost.
 *
 * Usage: node --import=tsx bench/relay.ts [--batch] [--host 127.0.0.1] [--port 0]
 * Prints `relay listening on <host>:<port>`; on SIGTERM/SIGINT prints one JSON stats line and exits.
 */
import dgram from 'node:dgram';
import { packBatches } from './batch-format.js';
import { cli } from './load-common.js';

const JOIN = 0x01;
const BUFFER_BYTES = 4 * 1024 * 1024;

const opts = cli('node --import=tsx bench/relay.ts', {
  '--batch': { help: "the batching relay (a turn's messages packed per datagram)" },
  '--host': { arg: 'ADDRESS', help: 'address to listen on (127.0.0.1)' },
  '--port': { arg: 'N', numbers: true, help: 'port (0: any)' },
});
const host = opts.string('--host', '127.0.0.1');
const port = opts.number('--port', 0);
const batch = opts.has('--batch');
const peers: { address: string; port: number }[] = [];
let queued: Buffer[] = [];
let flushQueued = false;
const known = new Set<string>();
const stats = { received: 0, foreign: 0, forwarded: 0, sendErrors: 0, peers: 0 };

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: BUFFER_BYTES, sendBufferSize: BUFFER_BYTES });

// Without an 'error' listener an ICMP port-unreachable would crash the process.
socket.on('error', () => {
  stats.sendErrors++;
});

socket.on('message', (msg, from) => {
  stats.received++;
  if (msg.length < 4 || msg[0] !== 0x55 || msg[1] !== 0x43 || from.port === 0) {
    stats.foreign++;
    return;
  }
  if (msg[3] === JOIN) {
    const key = `${from.address}:${from.port}`;
    if (!known.has(key)) {
      known.add(key);
      peers.push({ address: from.address, port: from.port });
      stats.peers = peers.length;
    }
  } else if (batch) {
    queued.push(msg);
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
    return;
  }
  fanOut(msg);
});

function fanOut(msg: Buffer): void {
  for (const p of peers) socket.send(msg, p.port, p.address);
  stats.forwarded += peers.length;
}

/** Everything received in this turn, packed, to everyone. */
function flush(): void {
  flushQueued = false;
  const msgs = queued;
  queued = [];
  for (const d of packBatches(msgs)) fanOut(d);
}

socket.bind(port, host, () => {
  const a = socket.address();
  process.stdout.write(`relay listening on ${a.address}:${a.port}\n`);
});

function stop(): void {
  const cpu = process.cpuUsage();
  const stat = { ...stats, cpuUserUs: cpu.user, cpuSystemUs: cpu.system, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`relay stats ${JSON.stringify(stat)}\n`);
  socket.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
