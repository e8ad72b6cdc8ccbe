/**
 * Memory a joined peer costs the server, measured on the server core alone (no sockets, no
 * send queues, no load): N peers join, then the heap and the buffers they keep are compared
 * with the empty server after a full GC. Complements the RSS figures of `npm run bench`, which
 * also count transient send queues and V8's heap growth.
 *
 *   node --expose-gc --import=tsx bench/memory-per-peer.ts [peers]
 */
import { randomBytes } from 'node:crypto';
import { encode } from '../lib/protocol/codec.js';
import { ServerCore } from '../lib/server/server-core.js';
import { cli } from './load-common.js';

const peers = Number(cli('npm run bench:memory --', {}, { positionals: '[peers]', maxPositionals: 1 }).positionals[0] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const now = Date.now();
const server = new ServerCore({ random: randomBytes, now, maxPeers: peers, sessionsPerIp: peers });
gc();
const before = process.memoryUsage();
for (let i = 0; i < peers; i++) {
  const from = { address: '127.0.0.1', port: 10_000 + i };
  const clientId = randomBytes(16);
  const join = { type: 'join' as const, cookie: server.cookieFor(from, clientId, now), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: `peer${i}` };
  server.receive(encode(join), from, now);
  server.flush(now);
  server.drain();
}
gc();
const after = process.memoryUsage();
const per = (k: 'heapUsed' | 'arrayBuffers' | 'rss'): number => Math.round((after[k] - before[k]) / peers);
console.log(
  JSON.stringify({ peers: server.sessions.size, heapBytesPerPeer: per('heapUsed'), bufferBytesPerPeer: per('arrayBuffers'), rssBytesPerPeer: per('rss') }),
);
