/**
 * What sealing costs on this machine (docs/sealed-design.md, "Costs"): µs per seal and open of a
 * 1,200-byte datagram (session and room), Ed25519 sign and verify, X25519, the whole IKpsk1
 * handshake, and the scrypt psk derivation, as a `where | operation | µs` table (`npm run bench`
 * runs it as a phase and puts the table in docs/performance.md). Medians of several rounds; on a
 * shared machine the figures are noisy, so the load average is printed with them.
 *
 *   npm run bench:seal [-- rounds]
 */
import { loadavg } from 'node:os';
import { randomBytes, sign, verify } from 'node:crypto';
import { HandshakeState } from '../lib/protocol/seal/handshake.js';
import { x25519, x25519KeyPair } from '../lib/protocol/seal/primitives.js';
import { derivePsk, PSK_SCRYPT } from '../lib/protocol/seal/psk.js';
import { ed25519PrivateKey, ed25519PublicKey, ed25519PublicKeyObject, ROOM_SEAL_OVERHEAD, RoomOpener, RoomSealer } from '../lib/protocol/seal/room-channel.js';
import { Opener, SEAL_OVERHEAD, Sealer } from '../lib/protocol/seal/session-channel.js';
import { median } from './histogram.js';
import { cli } from './load-common.js';

const rounds = Number(cli('npm run bench:seal --', {}, { positionals: '[rounds]', maxPositionals: 1 }).positionals[0] ?? 7);
const HEADER = Buffer.from([0x55, 0x43, 0x01, 0xff, 0, 0, 0, 1]);
const DATAGRAM = 1200;

/** Median over `rounds` of the µs one call of `fn` takes, run `n` times per round. */
function measure(n: number, fn: (i: number) => unknown): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) fn(i);
    samples.push(Number(process.hrtime.bigint() - started) / 1000 / n);
  }
  return median(samples);
}

/** One line of the table: where the cost is paid, what it is, µs. */
function row(where: string, what: string, us: number): void {
  process.stdout.write(`| ${where} | ${what} | ${us.toFixed(1)} |\n`);
}

function sessionRows(): void {
  const key = randomBytes(32);
  const plaintext = randomBytes(DATAGRAM - HEADER.length - SEAL_OVERHEAD);
  const sealer = new Sealer(key);
  const sealed = Array.from({ length: 20_000 }, () => sealer.seal(HEADER, plaintext));
  row('server: each datagram to one member (ACK, repair, roster, history …); client: each datagram it sends', `session seal, ${DATAGRAM} bytes`, measure(5000, () => sealer.seal(HEADER, plaintext)));
  let opener = new Opener(key);
  let next = 0;
  row('server: each datagram it receives; client: each datagram from the server to it alone', `session open (tag + replay window), ${DATAGRAM} bytes`, measure(2000, () => {
    if (next === sealed.length) [opener, next] = [new Opener(key), 0];
    return opener.open(sealed[next++]!, HEADER.length);
  }));
}

function roomRows(): void {
  const seed = randomBytes(32);
  const key = randomBytes(32);
  const plaintext = randomBytes(DATAGRAM - HEADER.length - ROOM_SEAL_OVERHEAD);
  const sealer = new RoomSealer(key, seed);
  row('server: each room datagram (DATA, SYNC), once for all members', `room seal + Ed25519 sign, ${DATAGRAM} bytes`, measure(500, () => sealer.seal(HEADER, plaintext)));
  const sealed = Array.from({ length: 4000 }, () => sealer.seal(HEADER, plaintext));
  const serverKey = ed25519PublicKeyObject(ed25519PublicKey(seed))!;
  let opener = new RoomOpener(key, serverKey);
  let next = 0;
  row('client: each room datagram it receives', `room open + Ed25519 verify, ${DATAGRAM} bytes`, measure(300, () => {
    if (next === sealed.length) [opener, next] = [new RoomOpener(key, serverKey), 0];
    return opener.open(sealed[next++]!, HEADER.length);
  }));
  const privateKey = ed25519PrivateKey(seed);
  const message = randomBytes(DATAGRAM - 64);
  const signature = sign(null, message, privateKey);
  row('(part of the room seal)', 'Ed25519 sign, 1,136 bytes', measure(500, () => sign(null, message, privateKey)));
  row('(part of the room open)', 'Ed25519 verify, 1,136 bytes', measure(300, () => verify(null, message, serverKey, signature)));
}

function handshakeRows(): void {
  const a = x25519KeyPair(randomBytes(32));
  const b = x25519KeyPair(randomBytes(32)).publicKey;
  row('(part of a handshake)', 'X25519 key pair from 32 raw bytes (import + public key)', measure(300, () => x25519KeyPair(randomBytes(32))));
  row('(part of a handshake)', 'X25519 with a prepared key pair (peer key import + DH)', measure(500, () => x25519(a, b)));
  const server = x25519KeyPair(randomBytes(32));
  const serverPublic = server.publicKey;
  const psk = randomBytes(32);
  row('join, server and client together', 'IKpsk1 handshake, both sides (server key prepared once)', measure(100, () => {
    const common = { pattern: 'IKpsk1' as const, prologue: HEADER, psk };
    const initiator = new HandshakeState({ ...common, role: 'initiator', staticPrivateKey: randomBytes(32), ephemeralPrivateKey: randomBytes(32), remoteStaticPublicKey: serverPublic });
    const responder = new HandshakeState({ ...common, role: 'responder', staticPrivateKey: server, ephemeralPrivateKey: randomBytes(32) });
    responder.readMessage(initiator.writeMessage(Buffer.alloc(64)));
    initiator.readMessage(responder.writeMessage(Buffer.alloc(64)));
    return initiator.result();
  }));
}

async function pskRow(): Promise<void> {
  const samples: number[] = [];
  for (let r = 0; r < 3; r += 1) {
    const started = process.hrtime.bigint();
    await derivePsk('correct horse battery staple', randomBytes(32));
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  samples.sort((x, y) => x - y);
  row('server start / first join, with a passphrase', `scrypt psk (N = 2^${Math.log2(PSK_SCRYPT.N)}, r = ${PSK_SCRYPT.r}, p = ${PSK_SCRYPT.p}, ${(128 * PSK_SCRYPT.N * PSK_SCRYPT.r) / 2 ** 20} MiB)`, samples[1]!);
}

process.stdout.write(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, median of ${rounds} rounds\n`);
process.stdout.write('| where | operation | µs |\n');
sessionRows();
roomRows();
handshakeRows();
await pskRow();
process.stdout.write(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
