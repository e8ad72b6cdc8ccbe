/**
 * The server core alone with rooms (docs/protocol.md §6.3), in process: CPU per delivered entry
 * for #lobby with 50 members (as revision-1 sessions, and as sessions with rooms), 20 rooms × 10
 * members, and private messages among 50 people. No sockets: what rooms cost the core itself.
 *
 *   node --import=tsx bench/rooms-core.ts [seconds per row, default 2]
 */
import { randomBytes } from 'node:crypto';
import { decode, encode } from '../lib/protocol/codec.js';
import { CAP_ROOMS } from '../lib/protocol/rooms-codec.js';
import type { ClientMessage } from '../lib/protocol/messages.js';
import type { PeerAddress } from '../lib/server/peer-address.js';
import { ServerCore } from '../lib/server/server-core.js';
import { cli } from './load-common.js';

interface Member {
  address: PeerAddress;
  token: Buffer;
  cseq: number;
}

const SECONDS = Number(cli('npm run bench:rooms --', {}, { positionals: '[seconds per row]', maxPositionals: 1 }).positionals[0] ?? 2);
const T0 = 1_700_000_000_000;

function server(): ServerCore {
  return new ServerCore({ random: randomBytes, now: T0, rate: 1e9, burst: 1e9, hardRate: 1e9, hardBurst: 1e9, maxPeers: 4096, sessionsPerIp: 4096, maxRooms: 4096 });
}

function join(core: ServerCore, i: number, caps: number): Member {
  const address = { address: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 4000 + i };
  const clientId = randomBytes(16);
  const hello = { type: 'join' as const, cookie: core.cookieFor(address, clientId, T0), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps, nick: `user${i}` };
  core.receive(encode(hello), address, T0);
  core.flush(T0);
  const welcome = core.drain().datagrams.map((d) => decode(d.data)).find((m) => m.type === 'welcome');
  if (welcome?.type !== 'welcome') throw new Error('no welcome');
  return { address, token: welcome.token, cseq: 0 };
}

function send(core: ServerCore, m: Member, build: (token: Buffer, cseq: number) => ClientMessage, now: number): void {
  core.receive(encode(build(m.token, ++m.cseq)), m.address, now);
}

/** Runs `step` for SECONDS; returns µs of CPU per delivery and messages per second. */
function measure(label: string, core: ServerCore, step: (now: number) => void): void {
  let now = T0 + 1;
  const deliveries0 = core.stats.deliveries;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let messages = 0;
  let datagrams = 0;
  while (performance.now() - wall0 < SECONDS * 1000) {
    for (let i = 0; i < 100; i++) {
      step(now);
      messages++;
      core.flush(now);
      for (const d of core.drain().datagrams) datagrams += Array.isArray(d.to) ? (d.to as PeerAddress[]).length : 1;
      now += 1;
    }
    core.tick(now);
  }
  const cpu = process.cpuUsage(cpu0);
  const deliveries = core.stats.deliveries - deliveries0;
  const us = (cpu.user + cpu.system) / deliveries;
  console.log(`| ${label} | ${messages} | ${deliveries} | ${us.toFixed(2)} | ${Math.round(messages / SECONDS)} | ${datagrams} |`);
}

console.log(`rooms-core: ${SECONDS} s per row, node ${process.version}, load average ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`);
console.log('| row | messages | deliveries | µs CPU per delivery | messages/s | datagrams out |');
console.log('| --- | --- | --- | --- | --- | --- |');

for (const [label, caps] of [['#lobby, K=50, revision-1 sessions', 0], ['#lobby, K=50, sessions with rooms', CAP_ROOMS]] as const) {
  const core = server();
  const members = Array.from({ length: 50 }, (_, i) => join(core, i, caps));
  let k = 0;
  measure(label, core, (now) => send(core, members[k++ % 50] as Member, (token, cseq) => ({ type: 'say', token, cseq, target: 0, text: 'a message of about sixty bytes, as people write them in chat' }), now));
}

{
  const core = server();
  const members = Array.from({ length: 200 }, (_, i) => join(core, i, CAP_ROOMS));
  const rooms: number[] = [];
  members.forEach((m, i) => {
    send(core, m, (token, cseq) => ({ type: 'cmd', token, cseq, op: 'join-room', roomId: 0, name: `#room${i % 20}`, text: '' }), T0);
    core.flush(T0);
    const info = core.drain().datagrams.map((d) => decode(d.data)).find((x) => x.type === 'roominfo');
    if (info?.type === 'roominfo') rooms[i] = info.roomId;
  });
  let k = 0;
  measure('20 rooms × 10 members', core, (now) => {
    const i = k++ % 200;
    send(core, members[i] as Member, (token, cseq) => ({ type: 'rsay', token, cseq, roomId: rooms[i] as number, action: false, text: 'a message of about sixty bytes, as people write them in chat' }), now);
  });
}

{
  const core = server();
  const members = Array.from({ length: 50 }, (_, i) => join(core, i, CAP_ROOMS));
  let k = 0;
  measure('private messages among 50 (each to the next)', core, (now) => {
    const i = k++ % 50;
    send(core, members[i] as Member, (token, cseq) => ({ type: 'cmd', token, cseq, op: 'msg', roomId: 0, name: `user${(i + 1) % 50}`, text: 'a message of about sixty bytes, as people write them in chat' }), now);
  });
}
