/**
 * Answering DISCOVER (docs/protocol.md §5.5, §5.7): the sans-I/O responder, and the server shell
 * with `findServers` over real UDP on 127.0.0.1 (no broadcast, no mDNS: loopback only).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { formatServer } from '../../lib/cli/found-servers.js';
import { findServers } from '../../lib/discovery/find-servers.js';
import { decode, encode } from '../../lib/protocol/codec.js';
import { generateServerKeys } from '../../lib/protocol/seal/identity.js';
import { ChatServer } from '../../lib/server/chat-server.js';
import { DiscoveryResponder, OFFER_BURST } from '../../lib/server/discovery-responder.js';

const NONCE = Buffer.from('c4a1e07d5b3f9a2e6d1c8b7f0e3a5d92', 'hex');
const FROM = { address: '192.0.2.7', port: 40000 };
const DISCOVER = encode({ type: 'discover', nonce: NONCE });
const INFO = { name: 'x'.repeat(63), port: 7777, passphrase: false };

function resealed(b: Buffer): Buffer {
  const out = Buffer.from(b);
  out.writeUInt32BE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

describe('DiscoveryResponder', () => {
  it('answers a DISCOVER with one OFFER that echoes the nonce and says name, port, users, protocol', () => {
    const r = new DiscoveryResponder({ name: 'lab-pc', port: 7777, passphrase: false }, 0);
    const offer = r.answer(DISCOVER, FROM, 0, 3);
    expect(offer).to.not.equal(undefined);
    expect(decode(offer as Buffer)).to.deep.equal({ type: 'offer', nonce: NONCE, protocol: 1, port: 7777, users: 3, passphrase: false, name: 'lab-pc' });
    expect(r.answered).to.equal(1);
  });

  it('never answers with more bytes than the request, even with the longest name', () => {
    const r = new DiscoveryResponder(INFO, 0);
    const offer = r.answer(DISCOVER, FROM, 0, 0xffff_ffff) as Buffer;
    expect(offer.length).to.equal(96).and.to.be.below(DISCOVER.length);
  });

  it('drops a DISCOVER from port 0, a malformed one and every other type, without answering', () => {
    const r = new DiscoveryResponder(INFO, 0);
    const padded = Buffer.from(DISCOVER);
    padded[60] = 1;
    const flipped = Buffer.from(DISCOVER);
    flipped.writeUInt8(flipped.readUInt8(30) ^ 1, 30);
    expect(r.answer(DISCOVER, { address: '192.0.2.7', port: 0 }, 0, 0)).to.equal(undefined);
    expect(r.answer(resealed(padded), FROM, 0, 0)).to.equal(undefined);
    expect(r.answer(flipped, FROM, 0, 0)).to.equal(undefined);
    expect(r.answer(DISCOVER.subarray(0, 100), FROM, 0, 0)).to.equal(undefined);
    expect(r.answer(encode({ type: 'sync', lastSeq: 1 }), FROM, 0, 0)).to.equal(undefined);
    expect(r.answer(Buffer.alloc(0), FROM, 0, 0)).to.equal(undefined);
    expect(r.answered).to.equal(0);
    expect(r.drops).to.deep.equal({ 'port-zero': 1, UDPCHAT_ERR_BAD_FIELD: 1, UDPCHAT_ERR_BAD_CHECKSUM: 2, 'not-discover': 1, UDPCHAT_ERR_TRUNCATED: 1 });
  });

  it('answers at most the burst at once over all sources, then 20 a second', () => {
    const r = new DiscoveryResponder(INFO, 0);
    let answered = 0;
    for (let i = 0; i < 100; i++) if (r.answer(DISCOVER, { address: `192.0.2.${i}`, port: 1000 + i }, 0, 0)) answered++;
    expect(answered).to.equal(OFFER_BURST);
    expect(r.drops['rate-limited']).to.equal(100 - OFFER_BURST);
    let later = 0;
    for (let i = 0; i < 100; i++) if (r.answer(DISCOVER, FROM, 1000, 0)) later++;
    expect(later).to.equal(20);
  });

  it('does not let garbage spend the tokens real requests need', () => {
    const r = new DiscoveryResponder(INFO, 0);
    for (let i = 0; i < 1000; i++) r.answer(Buffer.alloc(128, i), FROM, 0, 0);
    expect(r.answer(DISCOVER, FROM, 0, 0)).to.not.equal(undefined);
  });
});

describe('a server answering DISCOVER (127.0.0.1)', function () {
  this.timeout(10_000);
  const servers: ChatServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('is found by findServers with its name, address, port and users online', async () => {
    const server = await ChatServer.start({ host: '127.0.0.1', port: 0, discovery: { name: 'loop-server' } });
    servers.push(server);
    const port = server.address().port;
    const found = await findServers({ waitMs: 400, port, mdns: false, targets: ['127.0.0.1'] });
    expect(found).to.deep.equal([{ name: 'loop-server', address: '127.0.0.1', port, users: 0, protocol: 1, passphrase: false, via: ['broadcast'] }]);
    expect(server.discoveryStats?.answered).to.be.at.least(1);
  });

  it('says a passphrase is needed when the sealed server has one (OFFER passphrase 1), and the listing says so', async () => {
    const keys = generateServerKeys(randomBytes);
    const server = await ChatServer.start({ host: '127.0.0.1', port: 0, discovery: { name: 'locked' }, seal: { keys, psk: Buffer.alloc(32, 9) } });
    servers.push(server);
    const port = server.address().port;
    const found = await findServers({ waitMs: 400, port, mdns: false, targets: ['127.0.0.1'] });
    expect(found).to.deep.equal([{ name: 'locked', address: '127.0.0.1', port, users: 0, protocol: 1, passphrase: true, via: ['broadcast'] }]);
    expect(formatServer(found[0]!)).to.equal(`locked  127.0.0.1:${port}  0 users online, protocol 1, passphrase needed (via broadcast)`);
    expect(server.seal?.passphrase).to.equal(true);
  });

  it('stays silent without discovery (--no-announce), and is not found', async () => {
    const server = await ChatServer.start({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    const found = await findServers({ waitMs: 400, port: server.address().port, mdns: false, targets: ['127.0.0.1'] });
    expect(found).to.deep.equal([]);
    expect(server.stats.drops['wrong-direction']).to.be.at.least(1);
  });
});
