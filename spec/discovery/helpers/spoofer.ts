/**
 * A hostile peer for the discovery spec, run inside a namespace (`node --import tsx spoofer.ts`):
 * answers every DISCOVER on port 7777 with forged and malformed OFFERs, and every mDNS query for
 * `_udp-chat._udp.local` with forged and malformed records. Prints `ready` once both listen.
 * Only one forgery of each kind is a well-formed, matching answer (names with escape sequences):
 * those must be shown escaped; everything else must be ignored.
 */
import dgram from 'node:dgram';
import { crc32 } from 'node:zlib';
import makeMdns from 'multicast-dns';
import type { Answer, Packet } from 'dns-packet';
import { decode, encode } from '../../../lib/protocol/codec.js';

const EVIL_OFFER_NAME = '\u001b[2J\u001b[31mEVIL\u0007\u202e';

function sealed(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 4);
  body.copy(out);
  out.writeUInt32BE(crc32(body), body.length);
  return out;
}

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  let nonce: Buffer;
  try {
    const m = decode(msg);
    if (m.type !== 'discover') return;
    nonce = m.nonce;
  } catch {
    return;
  }
  const offer = (patch: object): Buffer => encode({ type: 'offer', nonce, protocol: 1, port: 7777, users: 1, passphrase: false, name: 'x', ...patch });
  const replies = [
    offer({ name: EVIL_OFFER_NAME }),
    offer({ name: 'WRONGNONCE', nonce: Buffer.alloc(16, 7) }),
    offer({ name: 'PORTLIE', port: 9999 }),
    Buffer.alloc(1200, 0x55),
    // An OFFER whose name claims 200 bytes (the limit is 63): BAD_FIELD, never shown.
    sealed(Buffer.concat([Buffer.from([0x55, 0x43, 0x01, 0x8a]), nonce, Buffer.from([1, 0x1e, 0x61, 0, 0, 0, 1, 0, 200]), Buffer.alloc(200, 0x41)])),
  ];
  for (const r of replies) socket.send(r, rinfo.port, rinfo.address);
});

const fqdn = (label: string): string => `${label}._udp-chat._udp.local`;
const ptr = (label: string): Answer => ({ name: '_udp-chat._udp.local', type: 'PTR', ttl: 120, data: fqdn(label) });
const srv = (label: string, port: number): Answer => ({ name: fqdn(label), type: 'SRV', ttl: 120, data: { port, target: 'spoof.local' } });
const txt = (label: string, data: Buffer[]): Answer => ({ name: fqdn(label), type: 'TXT', ttl: 120, data });
const mdnsAnswers: Answer[] = [
  ptr('GARBAGETXT'),
  srv('GARBAGETXT', 7001),
  txt('GARBAGETXT', [Buffer.from([0xff, 0x00, 0x1b, 0x3d]), Buffer.from('users=abc'), Buffer.from('v=99999999999999'), Buffer.from('pass=maybe'), Buffer.alloc(200, 0x7a)]),
  ptr('\u001b]0;pwned\u0007ESCNAME'),
  srv('\u001b]0;pwned\u0007ESCNAME', 7002),
  txt('\u001b]0;pwned\u0007ESCNAME', [Buffer.from('v=1'), Buffer.from('users=2'), Buffer.from('pass=0')]),
  ptr('NOSRV'),
  ptr('PORTZERO'),
  srv('PORTZERO', 0),
  { name: '_udp-chat._udp.local', type: 'PTR', ttl: 120, data: 'ELSEWHERE._other._udp.local' },
  { name: fqdn('ELSEWHERE'), type: 'SRV', ttl: 120, data: { port: 7003, target: 'spoof.local' } },
];

const mdns = makeMdns({ reuseAddr: true, loopback: false });
mdns.on('warning', () => undefined);
mdns.on('error', (err: Error) => {
  console.error(`spoofer mdns: ${err.message}`);
  process.exit(1);
});
mdns.on('query', (q: Packet) => {
  if (!(q.questions ?? []).some((x) => x.name.toLowerCase() === '_udp-chat._udp.local')) return;
  mdns.respond({ answers: mdnsAnswers });
});

let ready = 0;
const up = (): void => {
  if (++ready === 2) console.log('ready');
};
mdns.on('ready', up);
socket.bind(7777, '0.0.0.0', up);
process.on('SIGTERM', () => {
  socket.close();
  mdns.destroy();
  process.exit(0);
});
