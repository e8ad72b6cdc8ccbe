/**
 * The flood of `npm run bench:flood`, in its own process: garbage or JOINs at a fixed rate at a
 * udp-chat server, from many source addresses (sockets bound to 127.9.j.i: 16 /24 networks of 16
 * addresses each, the loopback stands in for spoofed sources; the replies they draw are never
 * read). Prints one JSON line when done: {"sent", "seconds", "rate", "errors", "cpuMs"}.
 *
 * - `garbage`: 1,024 prepared datagrams of 20–1,200 random bytes; half start with the udp-chat
 *   header (magic, version 1, any type) so they get past the magic check and fail the CRC.
 * - `join`: 1,024 prepared, well-formed JOINs (valid CRC), random client ids and nicks; half with a
 *   zero cookie (answered by a COOKIE, within the per-source and server-wide limits), half with a
 *   made-up cookie (checked: two HMACs, within the server-wide check limit).
 * - `hello` (for a sealed server): the sealed join's first steps, half HELLOs (answered by a
 *   COOKIE, within the same limits), half HANDSHAKE1s with a made-up cookie and a Noise message of
 *   random bytes of the right length (the cookie is checked before any DH).
 *
 * Usage: node --import=tsx bench/flood-gen.ts --server 127.0.0.1:PORT --kind garbage|join|hello --rate 50000 --seconds 10
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { encode } from '../lib/protocol/codec.js';
import { encodeHandshake1, encodeHello } from '../lib/protocol/seal/envelope.js';
import { cli } from './load-common.js';

const opts = cli('node --import=tsx bench/flood-gen.ts', {
  '--server': { arg: 'HOST:PORT', help: "the server's address" },
  '--kind': { arg: 'garbage|join|hello', help: 'what to send (garbage)' },
  '--rate': { arg: 'N', numbers: true, help: 'datagrams/s (20000)' },
  '--seconds': { arg: 'S', numbers: true, help: 'how long (10)' },
});
const [host = '127.0.0.1', portText = '0'] = opts.string('--server', '127.0.0.1:0').split(':');
const port = Number(portText);
const kind = opts.string('--kind', 'garbage');
const rate = opts.number('--rate', 20000);
const seconds = opts.number('--seconds', 10);
if (kind !== 'garbage' && kind !== 'join' && kind !== 'hello') throw new Error('--kind must be garbage, join or hello');
if (!(port > 0) || !(rate > 0) || !(seconds > 0)) throw new Error('--server HOST:PORT, --rate and --seconds are required');

const POOL = 1024;
function garbage(i: number): Buffer {
  const b = randomBytes(20 + Math.floor(Math.random() * 1181));
  if (i % 2 === 0) {
    b[0] = 0x55;
    b[1] = 0x43;
    b[2] = 0x01;
  }
  return b;
}
function join(i: number): Buffer {
  const nick = `f${randomBytes(4).toString('hex')}`;
  const cookie = i % 2 === 0 ? Buffer.alloc(16) : randomBytes(16);
  return encode({ type: 'join', cookie, clientId: randomBytes(16), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick });
}
// e ‖ encrypted s ‖ encrypted JOIN (IKpsk1 message 1 with a JOIN of a short nick).
const HANDSHAKE1_MESSAGE_BYTES = 32 + 48 + 64;
function hello(i: number): Buffer {
  return i % 2 === 0 ? encodeHello(randomBytes(16)) : encodeHandshake1(randomBytes(16), randomBytes(16), randomBytes(HANDSHAKE1_MESSAGE_BYTES));
}
const make = { garbage, join, hello }[kind];
const pool = Array.from({ length: POOL }, (_, i) => make(i));

async function sockets(): Promise<dgram.Socket[]> {
  const out: dgram.Socket[] = [];
  for (let j = 0; j < 16; j++) {
    for (let i = 1; i <= 16; i++) {
      const s = dgram.createSocket({ type: 'udp4', sendBufferSize: 1 << 20 });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, `127.9.${j}.${i}`, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', () => errors++);
      out.push(s);
    }
  }
  return out;
}

let errors = 0;
const socks = await sockets();
let sent = 0;
const cpu0 = process.cpuUsage();
const start = performance.now();
const end = start + seconds * 1000;
await new Promise<void>((resolve) => {
  const loop = (): void => {
    const now = performance.now();
    if (now >= end) return resolve();
    // Send what is due by now (at most 2 ms' worth at once, so the rate stays even).
    const due = Math.min(Math.floor(((now - start) / 1000) * rate) - sent, Math.ceil(rate / 500));
    for (let k = 0; k < due; k++, sent++) {
      const s = socks[sent % socks.length] as dgram.Socket;
      s.send(pool[sent % POOL] as Buffer, port, host, (err) => {
        if (err) errors++;
      });
    }
    setImmediate(loop);
  };
  loop();
});
const took = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ sent, seconds: took, rate: Math.round(sent / took), errors, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
for (const s of socks) s.close();
