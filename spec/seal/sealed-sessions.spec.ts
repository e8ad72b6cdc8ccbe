/**
 * Sealed sessions end to end, sans-I/O (docs/protocol.md §5.8): the HELLO/COOKIE/HANDSHAKE join,
 * sealed chat both ways, room datagrams sealed once, and what the layers refuse.
 */
import { expect } from 'chai';
import { ClientCore } from '../../lib/client/client-core.js';
import { encode } from '../../lib/protocol/codec.js';
import { addressKey } from '../../lib/server/peer-address.js';
import { SealedNet } from './sealed-net.js';

describe('sealed sessions (sans-I/O)', () => {
  it('joins through HELLO, COOKIE and the handshake, and chats with every datagram sealed', function () {
    const net = new SealedNet();
    const ann = net.client('ann');
    const bob = net.client('bob');
    net.join(ann);
    net.join(bob);
    expect(ann.core.phase).to.equal('online');
    expect(bob.core.phase).to.equal('online');
    ann.core.say('hello bob', net.now);
    net.run();
    expect(SealedNet.texts(bob)).to.deep.equal(['hello bob']);
    expect(SealedNet.texts(ann)).to.deep.equal(['hello bob']);
    // Nothing in clear on the wire: every datagram either way is a SEALED envelope (type 0x7F / 0xFF).
    for (const c of [ann, bob]) {
      expect(c.sent.every((d) => d[3] === 0x7f)).to.equal(true);
      expect(c.received.every((d) => d[3] === 0xff)).to.equal(true);
      expect(c.received.some((d) => d.includes('hello bob'))).to.equal(false);
      expect(c.sent.some((d) => d.includes('hello bob'))).to.equal(false);
    }
  });

  it('seals a room datagram once: the same bytes go to every member', function () {
    const net = new SealedNet();
    const members = ['ann', 'bob', 'cy'].map((n) => net.client(n));
    for (const m of members) net.join(m);
    const before = net.server.stats.roomSealed;
    members[0]!.core.say('one for all', net.now);
    members[0]!.core.tick(net.now);
    const d = members[0]!.core.drain();
    for (const b of members[0]!.layer.wrap(d.datagrams, net.now)) net.server.receive(b, members[0]!.address, net.now);
    net.core.flush(net.now);
    const out = net.server.drain(net.now).datagrams;
    const room = out.filter((o) => Array.isArray(o.to));
    expect(room).to.have.length(1);
    expect(room[0]!.to).to.have.length(3);
    expect(room[0]!.data[4]).to.equal(6); // kind ROOM
    expect(net.server.stats.roomSealed - before).to.equal(1);
  });

  it('keeps every sealed datagram within 1200 bytes: history, repair and fan-out of the longest messages', function () {
    const net = new SealedNet();
    const ann = net.client('ann');
    net.join(ann);
    const long = 'x'.repeat(1000);
    for (let i = 0; i < 30; i++) ann.core.say(`${i} ${long}`.slice(0, 1000), net.now);
    for (let i = 0; i < 20; i++) net.advance(100);
    const bob = net.client('bob');
    net.join(bob); // the harness throws for any datagram over 1200 bytes
    for (let i = 0; i < 20; i++) net.advance(100);
    expect(SealedNet.texts(bob).filter((t) => t.endsWith('xxx'))).to.have.length(30);
    expect(Math.max(...bob.received.map((d) => d.length))).to.be.at.most(1200);
  });

  it('refuses a cleartext client of the previous revision with a clear error after the cookie', function () {
    const net = new SealedNet();
    // A plain ClientCore (no seal layer) is what the previous revision's client speaks.
    const plain = new ClientCore({ nick: 'old', clientId: Buffer.alloc(16, 7) });
    const from = { address: '10.9.9.9', port: 4444 };
    plain.join(net.now);
    const events: Array<{ type: string; reason?: string }> = [];
    for (let i = 0; i < 4; i++) {
      const d = plain.drain();
      events.push(...d.ordered);
      for (const b of d.datagrams) net.server.receive(b, from, net.now);
      for (const o of net.server.drain(net.now).datagrams) plain.receive(o.data, net.now);
    }
    const failed = events.find((e) => e.type === 'join-failed');
    expect(failed).to.deep.include({ code: 'UDPCHAT_ERR_SERVER_FULL' });
    expect(failed?.reason).to.match(/sealed .*upgrade udp-chat/);
  });

  it('with allowCleartext (serve --allow-cleartext) admits an earlier client beside sealed ones, never for a sealed member\'s address', function () {
    const net = new SealedNet({ allowCleartext: true });
    const ann = net.client('ann');
    net.join(ann);
    const plain = new ClientCore({ nick: 'old', clientId: Buffer.alloc(16, 7) });
    const from = { address: '10.9.9.9', port: 4444 };
    const shown: string[] = [];
    const inbox: Buffer[] = [];
    net.others.set(addressKey(from), (data) => inbox.push(data));
    const step = (): void => {
      for (const b of inbox.splice(0)) plain.receive(b, net.now);
      const d = plain.drain();
      for (const e of d.ordered) if (e.type === 'message') shown.push(e.text);
      for (const b of d.datagrams) net.server.receive(b, from, net.now);
      net.run();
    };
    plain.join(net.now);
    for (let i = 0; i < 4; i++) step();
    expect(plain.phase).to.equal('online');
    ann.core.say('to both', net.now);
    net.run();
    for (let i = 0; i < 3; i++) step();
    expect(shown).to.deep.equal(['to both']);
    expect(SealedNet.texts(ann)).to.deep.equal(['to both']);
    expect(ann.received.every((d) => d[3] === 0xff)).to.equal(true);
    // A cleartext SAY from ann's address is not ann's.
    const accepted = net.core.stats.accepted;
    net.toServer(encode({ type: 'say', token: Buffer.alloc(16), cseq: 1, target: 0, text: 'spoofed' }), ann.address);
    expect(net.core.stats.accepted).to.equal(accepted);
    expect(net.core.stats.drops['cleartext-on-sealed']).to.equal(1);
  });
});
